import { readdirSync, readFileSync } from 'node:fs'

/** One live process as /proc/<pid>/stat describes it. */
export interface ProcEntry { ppid: number, rssBytes: number }
export type ProcessTable = Map<number, ProcEntry>

/** Resident pages are counted in the kernel's base page size: 4 KiB on x86-64 and on Linux arm64 by default. */
const PAGE_BYTES = 4096

/**
 * Parses /proc/<pid>/stat: the command name (field 2) may hold spaces and parentheses, so fields are
 * counted from the last ')'. Zombies hold no memory and are left out.
 * @see https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html (ppid is field 4, rss field 24)
 */
export function parseStat (text: string): ProcEntry | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const state = fields[0]
  if (state === undefined || state === 'Z' || state === 'X') return undefined
  const ppid = Number(fields[1])
  const rssPages = Number(fields[21])
  if (!Number.isFinite(ppid) || !Number.isFinite(rssPages)) return undefined
  return { ppid, rssBytes: rssPages * PAGE_BYTES }
}

/** Every live process on the machine, with its parent and resident memory. */
export function readProcessTable (): ProcessTable {
  const table: ProcessTable = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const parsed = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))
      if (parsed !== undefined) table.set(Number(entry), parsed)
    } catch {
      // the process ended between the listing and the read
    }
  }
  return table
}

/**
 * A process and all its descendants, by parent links. Walking parents rather than process groups
 * matters: Postgres backends call setsid(), so they leave the postmaster's group but stay its children.
 */
export function processTree (table: ProcessTable, root: number): number[] {
  if (!table.has(root)) return []
  const children = new Map<number, number[]>()
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  const tree: number[] = []
  const queue = [root]
  while (queue.length > 0) {
    const pid = queue.shift() as number
    if (tree.includes(pid)) continue
    tree.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return tree
}

export interface Memory {
  /** Resident memory summed: a page shared by n processes counts n times. */
  rss: number
  /** Proportional set size: a shared page counts 1/n in each of its n users, so the sum is its real cost. */
  pss: number
}

/** Parses the Rss and Pss lines (kB) of /proc/<pid>/smaps_rollup, in bytes. */
export function parseSmapsRollup (text: string): Memory {
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
  return { rss: kb('Rss') * 1024, pss: kb('Pss') * 1024 }
}

/**
 * Memory of the given processes, summed. From smaps_rollup (Linux 4.14+), which also gives PSS; from
 * the table's RSS for a process whose rollup cannot be read.
 * @see https://www.kernel.org/doc/html/latest/filesystems/proc.html (smaps_rollup)
 */
export function memoryOf (table: ProcessTable, pids: number[]): Memory {
  const total: Memory = { rss: 0, pss: 0 }
  for (const pid of pids) {
    try {
      const { rss, pss } = parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
      total.rss += rss
      total.pss += pss
    } catch {
      const rss = table.get(pid)?.rssBytes ?? 0
      total.rss += rss
      total.pss += rss
    }
  }
  return total
}
