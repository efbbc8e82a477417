import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { setTimeout as sleep } from 'node:timers/promises'

export interface LogSource {
  name: string
  file: string
  /** Byte offset to start from (default 0: the whole file). */
  offset?: number
}

export interface LogOptions {
  /** Keep only lines containing this text (a request id). */
  filter?: string
  write: (name: string, line: string) => void
}

const CHUNK = 1024 * 1024

/** Reads what a log gained since the last call, line by line; a partial last line waits for its end. */
class LogReader {
  private offset: number
  private partial = ''
  // Keeps a multi-byte character cut by a read boundary for the next read.
  private decoder = new StringDecoder('utf8')
  constructor (readonly source: LogSource) {
    this.offset = source.offset ?? 0
  }

  lines (): string[] {
    let fd: number
    try {
      fd = openSync(this.source.file, 'r')
    } catch {
      return []
    }
    try {
      const size = fstatSync(fd).size
      // Truncated or replaced (down --wipe, a new lab home): start over.
      if (size < this.offset) { this.offset = 0; this.partial = ''; this.decoder = new StringDecoder('utf8') }
      const out: string[] = []
      const buffer = Buffer.alloc(CHUNK)
      while (this.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(CHUNK, size - this.offset), this.offset)
        if (n === 0) break
        this.offset += n
        const parts = (this.partial + this.decoder.write(buffer.subarray(0, n))).split('\n')
        this.partial = parts.pop() ?? ''
        out.push(...parts)
      }
      return out
    } finally {
      closeSync(fd)
    }
  }
}

function emit (reader: LogReader, options: LogOptions): void {
  for (const line of reader.lines()) {
    if (options.filter === undefined || line.includes(options.filter)) options.write(reader.source.name, line)
  }
}

/** Prints the logs once, one file after the other. */
export function printLogs (sources: LogSource[], options: LogOptions): void {
  for (const source of sources) emit(new LogReader(source), options)
}

/** Prints the logs as they grow (polling, like `tail -F`) until the signal aborts. */
export async function followLogs (sources: LogSource[], options: LogOptions, signal: AbortSignal): Promise<void> {
  const readers = sources.map((s) => new LogReader(s))
  while (!signal.aborted) {
    for (const reader of readers) emit(reader, options)
    await sleep(250, undefined, { signal }).catch(() => {})
  }
}

/** The current size of a file (0 when it does not exist): where to follow it from. */
export function endOf (file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** Offset where the last n lines of a file start (like `tail -n`), from its last 64 KiB. */
export function tailOffset (file: string, n: number): number {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return 0
  }
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, 64 * 1024)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    let at = buffer[length - 1] === 0x0a ? length - 1 : length
    for (let lines = 0; lines < n; lines++) {
      const nl = buffer.lastIndexOf(0x0a, at - 1)
      if (nl === -1) return size - length
      at = nl
    }
    return size - length + at + 1
  } finally {
    closeSync(fd)
  }
}
