import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { shortPath } from './paths.js'
import { START_HEADER_MARK, START_HEADER_PREFIX } from './supervisor.js'

/** A component that did not become healthy: names it, points at its log and quotes its end. */
export class ComponentStartError extends Error {
  override name = 'ComponentStartError'
  constructor (component: string, reason: string, logFile: string) {
    const tail = sinceLastStart(lastLines(logFile, 20)).map((l) => `    ${l}`).join('\n')
    super(`${component} ${reason}; see ${shortPath(logFile)}${tail === '' ? '' : `, which ends with:\n${tail}`}`)
  }
}

export interface WaitOptions {
  component: string
  probe: () => Promise<boolean>
  timeoutMs: number
  logFile: string
  /** Returns why the process is gone (then waiting stops early), or undefined while it runs. */
  gone: () => string | undefined
  intervalMs?: number
}

/** Polls the probe until it answers; returns the milliseconds it took. */
export async function waitUntilHealthy (options: WaitOptions): Promise<number> {
  const started = Date.now()
  const interval = options.intervalMs ?? 200
  for (;;) {
    if (await options.probe()) return Date.now() - started
    const gone = options.gone()
    if (gone !== undefined) {
      // One more look: it may have answered just before a clean exit of a wrapper.
      if (await options.probe()) return Date.now() - started
      throw new ComponentStartError(options.component, `stopped before it was healthy (${gone})`, options.logFile)
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new ComponentStartError(options.component, `was not healthy within ${options.timeoutMs / 1000} s`, options.logFile)
    }
    await sleep(interval)
  }
}

/** Drops what earlier runs logged: the lines before the runner's last "lab: starting" header. */
function sinceLastStart (lines: string[]): string[] {
  const header = lines.findLastIndex((l) => l.startsWith(START_HEADER_PREFIX) && l.includes(START_HEADER_MARK))
  return header === -1 ? lines : lines.slice(header)
}

/** The last n lines of a text file, read from its last 64 KiB ([] when it does not exist). */
export function lastLines (file: string, n: number): string[] {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return []
  }
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, 64 * 1024)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    return buffer.toString('utf8').split('\n').filter((line) => line !== '').slice(-n)
  } finally {
    closeSync(fd)
  }
}
