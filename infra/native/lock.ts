import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isAlive } from './processes.js'

export interface LockOptions {
  timeoutMs: number
  /** Called once when another process holds the lock and we start waiting. */
  onWait?: (holderPid: number) => void
}

/**
 * Runs fn while holding a lock file (created with O_EXCL, holding our PID), so two callers that race
 * (`./lab up` and a test run) never start the same daemon twice. A lock whose holder died is taken over.
 */
export async function withLock<T> (file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true })
  const deadline = Date.now() + options.timeoutMs
  let warned = false
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = readHolder(file)
    // An empty file is a lock being written right now; a dead holder's lock is stale.
    if (holder !== undefined ? !isAlive(holder) : olderThan(file, 10_000)) {
      rmSync(file, { force: true })
      continue
    }
    if (Date.now() > deadline) throw new Error(`${file} is still held by process ${holder ?? '?'} after ${options.timeoutMs / 1000} s`)
    if (!warned && holder !== undefined) {
      options.onWait?.(holder)
      warned = true
    }
    await sleep(250)
  }
  try {
    return await fn()
  } finally {
    rmSync(file, { force: true })
  }
}

function readHolder (file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function olderThan (file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms
  } catch {
    return true
  }
}
