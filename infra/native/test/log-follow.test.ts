import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { followLogs, printLogs, tailOffset } from '../log-follow.js'

let dir: string
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

describe('lab logs', () => {
  it('prints each line with its source, keeping only those of one request when asked', () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-logs-'))
    writeFileSync(join(dir, 'a.log'), '{"reqId":"r1","msg":"in"}\n{"reqId":"r2","msg":"in"}\n')
    writeFileSync(join(dir, 'b.log'), '{"reqId":"r1","msg":"out"}\n')
    const out: string[] = []
    printLogs([{ name: 'a', file: join(dir, 'a.log') }, { name: 'b', file: join(dir, 'b.log') }, { name: 'c', file: join(dir, 'none.log') }],
      { filter: 'r1', write: (name, line) => out.push(`${name}|${line}`) })
    expect(out).toEqual(['a|{"reqId":"r1","msg":"in"}', 'b|{"reqId":"r1","msg":"out"}'])
  })

  it('follows a growing file, holding back a line until it ends, like tail -F', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-logs-'))
    const file = join(dir, 'svc.log')
    writeFileSync(file, 'old 1\nold 2\nold 3\n')
    const out: string[] = []
    const stop = new AbortController()
    const following = followLogs([{ name: 'svc', file, offset: tailOffset(file, 1) }], { write: (_n, line) => out.push(line) }, stop.signal)
    await sleep(50)
    appendFileSync(file, 'new 1\nnew ')
    await sleep(400)
    appendFileSync(file, '2\n')
    await sleep(400)
    stop.abort()
    await following
    expect(out).toEqual(['old 3', 'new 1', 'new 2'])
  })

  it('finds where the last lines start, with or without a final newline', () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-logs-'))
    const file = join(dir, 'x.log')
    writeFileSync(file, 'a\nb\nc\n')
    expect(tailOffset(file, 2)).toBe(2)
    expect(tailOffset(file, 10)).toBe(0)
    writeFileSync(file, 'a\nb\nc')
    expect(tailOffset(file, 1)).toBe(4)
    expect(tailOffset(join(dir, 'missing.log'), 5)).toBe(0)
  })
})
