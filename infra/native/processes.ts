import { readdirSync, readFileSync } from 'node:fs'

/**
 * What /proc says about processes (Linux only, like the rest of the native runner). Zombies count as
 * gone: a dead daemon whose parent has not reaped it yet holds no port and serves nothing.
 */
interface ProcStat { state: string, pgrp: number }

function readStat (pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: parse from the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]) }
  } catch {
    return undefined
  }
}

export function isAlive (pid: number): boolean {
  const stat = readStat(pid)
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
}

/** The command line of a process, arguments joined by spaces ('' when it is gone). */
export function commandLine (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return ''
  }
}

/** Live members of a process group: a daemon and the children it forked (e.g. Postgres backends). */
export function groupMembers (pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    const stat = readStat(pid)
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid)
  }
  return members
}

/** A process and all its descendants (Postgres' backends leave its process group with setsid). */
export function processTree (root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []))
  return tree
}

/**
 * Memory of a process and its descendants, in MiB: RSS summed as `ps` shows it (shared pages counted
 * in every process), and PSS, which splits shared pages between their users (their real cost).
 */
export function treeMemoryMb (root: number): { rss: number, pss: number } {
  let rss = 0
  let pss = 0
  for (const pid of processTree(root)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0)
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0)
    } catch {
      // ended while we were reading
    }
  }
  return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024) }
}

/** Sends a signal, ignoring a process (group) that is already gone. */
export function signal (target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/** When a process started (clock ticks since boot): tells a process from a later one with its PID. */
export function startTime (pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const value = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19])
    return Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}
