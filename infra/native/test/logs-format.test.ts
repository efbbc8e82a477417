import { describe, expect, it } from 'vitest'
import { lineFormatter, prefixedWriter } from '../commands/logs.js'
import type { Reporter } from '../progress.js'

const line = JSON.stringify({ level: 30, time: '2026-12-02T13:50:00.123Z', service: 'gateway', reqId: 'r-1', msg: 'request completed' })
const terminal = { isTTY: true, hasColors: () => false } as unknown as NodeJS.WriteStream
const pipe = { isTTY: false } as unknown as NodeJS.WriteStream

/** A reporter that keeps what it prints, without colours. */
function collecting (): { reporter: Reporter, printed: string[] } {
  const printed: string[] = []
  const reporter: Reporter = { line: () => {}, error: () => {}, print: (text) => { printed.push(text) }, style: (_format, text) => text, elapsedMs: () => 0 }
  return { reporter, printed }
}

describe('lab logs, as a person reads them', () => {
  it('are pretty on a terminal and the JSON as written into a pipe or a file', () => {
    expect(lineFormatter('auto', terminal)?.(line)).toMatch(/INFO: request completed \{"reqId":"r-1"\}$/)
    expect(lineFormatter('auto', pipe)).toBeUndefined()
  })

  it('follow --pretty into a pipe and --json on a terminal', () => {
    expect(lineFormatter('pretty', pipe)?.(line)).toMatch(/INFO: request completed/)
    expect(lineFormatter('json', terminal)).toBeUndefined()
  })

  it('keep the service name on every line, the lines of an error\'s stack included', () => {
    const { reporter, printed } = collecting()
    const write = prefixedWriter(reporter, ['gateway', 'orders'], lineFormatter('pretty', pipe))
    write('gateway', line)
    write('orders', JSON.stringify({ level: 50, time: '2026-12-02T13:50:00.123Z', reqId: 'r-1', err: { message: 'boom', stack: 'Error: boom\n    at place' }, msg: 'failed' }))
    write('orders', 'not json')
    const shown = printed.join('\n').split('\n')
    expect(shown[0]).toMatch(/^gateway \| \[\d\d:\d\d:\d\d\.123\] INFO: request completed/)
    expect(shown.length).toBeGreaterThan(3)
    for (const l of shown.slice(1)) expect(l).toMatch(/^orders {2}\| /)
    expect(shown.at(-1)).toBe('orders  | not json')
  })

  it('pass JSON through untouched without a formatter', () => {
    const { reporter, printed } = collecting()
    prefixedWriter(reporter, ['gateway'], undefined)('gateway', line)
    expect(printed).toEqual([`gateway | ${line}`])
  })
})
