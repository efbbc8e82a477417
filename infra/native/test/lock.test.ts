import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { withLock } from '../lock.js'

let dir: string
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

describe('lab lock file', () => {
  it('runs concurrent callers one after the other', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-lock-'))
    const file = join(dir, 'lab.lock')
    const events: string[] = []
    const job = (name: string) => withLock(file, { timeoutMs: 5000 }, async () => {
      events.push(`${name} in`)
      await sleep(100)
      events.push(`${name} out`)
    })
    await Promise.all([job('a'), job('b')])
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out'])
  })

  it('takes over a lock whose holder is dead, and releases it after', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-lock-'))
    const file = join(dir, 'lab.lock')
    writeFileSync(file, '2147483646\n') // no such process
    const holder = await withLock(file, { timeoutMs: 1000 }, async () => readFileSync(file, 'utf8').trim())
    expect(holder).toBe(String(process.pid))
    expect(() => readFileSync(file)).toThrow()
  })

  it('gives up after its timeout while a live process holds the lock', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-lock-'))
    const file = join(dir, 'lab.lock')
    writeFileSync(file, `${process.ppid}\n`)
    await expect(withLock(file, { timeoutMs: 300 }, async () => 'never')).rejects.toThrow(/still held by process/)
  })
})
