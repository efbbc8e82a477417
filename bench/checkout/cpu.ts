import { readFileSync } from 'node:fs'
import { allComponents } from '../../infra/native/components/registry.js'
import { labPaths } from '../../infra/native/paths.js'
import { runningPid } from '../../infra/native/supervisor.js'
import { DATABASES } from '../../infra/topology.js'
import { processTree, readProcessTable } from '../proc.js'

/**
 * Linux reports CPU time in clock ticks of USER_HZ, 100 per second on x86-64 and arm64 (Node cannot
 * ask sysconf(_SC_CLK_TCK)).
 * @see https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
 */
const TICKS_PER_SECOND = 100

/**
 * utime + stime + cutime + cstime (fields 14 to 17) of /proc/<pid>/stat, in ticks; fields counted from
 * the last ')'. The children's part keeps a process tree's sum from dropping when a child ends (a
 * Postgres backend whose connection closed): its time moves to its parent's cutime/cstime once reaped.
 */
export function parseCpuTicks (stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
}

/** The machine's CPU time from /proc/stat's first line: all ticks, and those not idle or waiting for I/O. */
export function parseMachineTicks (procStat: string): { total: number, busy: number } {
  const values = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { total, busy: total - idle }
}

const LAB_DATABASES: readonly string[] = DATABASES

/** A Postgres process's title (`postgres: lab orders 127.0.0.1(5432) idle`, `postgres: walwriter`). */
function readTitle (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
  } catch {
    return ''
  }
}

/**
 * Which part of Postgres a process works for: a lab database (its backends), `other databases` (test
 * runs), or `server, WAL, ended connections` (the postmaster, which also inherits the CPU time of the
 * backends that ended, and the background processes).
 */
export function postgresBucket (title: string): string {
  const backend = /^postgres: \S+ (\S+) /.exec(title)
  if (backend?.[1] === undefined || /^postgres: (autovacuum|logical replication|background|walwriter|checkpointer)/.test(title)) return 'server, WAL, ended connections'
  return LAB_DATABASES.includes(backend[1]) ? backend[1] : 'other databases'
}

export interface CpuSnapshot { atMs: number, machine: { total: number, busy: number }, byName: Record<string, number> }

/** CPU ticks used so far by each lab component (its process and descendants) and each named process of ours. */
export function cpuSnapshot (own: Record<string, number>): CpuSnapshot {
  const paths = labPaths()
  const table = readProcessTable()
  const claimed = new Set<number>()
  const ticksOf = (root: number) => {
    let ticks = 0
    for (const pid of processTree(table, root)) {
      if (claimed.has(pid)) continue
      claimed.add(pid)
      try {
        ticks += parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'))
      } catch {
        // ended since the table was read
      }
    }
    return ticks
  }
  const byName: Record<string, number> = {}
  for (const [name, pid] of Object.entries(own)) byName[name] = ticksOf(pid)
  for (const c of allComponents(paths)) {
    const pid = runningPid(paths, c.name, c.marker)
    if (pid === undefined) continue
    if (c.name !== 'postgres') {
      byName[c.name] = ticksOf(pid)
      continue
    }
    // One Postgres serves the lab and every test run on the machine: split it by database.
    for (const p of processTree(table, pid)) {
      if (claimed.has(p)) continue
      claimed.add(p)
      const bucket = `postgres (${postgresBucket(p === pid ? '' : readTitle(p))})`
      try {
        byName[bucket] = (byName[bucket] ?? 0) + parseCpuTicks(readFileSync(`/proc/${p}/stat`, 'utf8'))
      } catch {
        // ended since the table was read
      }
    }
  }
  return { atMs: performance.now(), machine: parseMachineTicks(readFileSync('/proc/stat', 'utf8')), byName }
}

export interface CpuUse {
  seconds: number
  /** Cores busy on average, machine-wide (every process, the lab's or not). */
  machineBusyCores: number
  cores: number
  /** Cores each lab component and bench process used on average, most first. */
  byName: Array<[string, number]>
}

/** Average cores used between two snapshots. */
export function cpuUse (before: CpuSnapshot, after: CpuSnapshot, cores: number): CpuUse {
  const seconds = (after.atMs - before.atMs) / 1000
  const machineTotal = after.machine.total - before.machine.total
  const byName = Object.entries(after.byName)
    .map(([name, ticks]): [string, number] => [name, (ticks - (before.byName[name] ?? ticks)) / TICKS_PER_SECOND / seconds])
    .filter(([, used]) => used >= 0.005)
    .sort(([, a], [, b]) => b - a)
  return {
    seconds,
    cores,
    machineBusyCores: machineTotal > 0 ? (cores * (after.machine.busy - before.machine.busy)) / machineTotal : Number.NaN,
    byName
  }
}
