import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LabPaths } from './paths.js'
import { commandLine, groupMembers, isAlive, processTree, signal } from './processes.js'

export interface SpawnSpec {
  name: string
  command: string
  args: string[]
  cwd?: string
  env?: Record<string, string>
  /** Run as this user (root only): Postgres refuses to run as root. */
  uid?: number
  gid?: number
}

/** The line written to a log before each start: `--- <time> lab: starting <command line>`. */
export const START_HEADER_PREFIX = '--- '
export const START_HEADER_MARK = ' lab: starting '

export interface Spawned {
  pid: number
  /** Set once the process exited (or could not be started), with a reason for the error message. */
  exit: () => string | undefined
}

/**
 * Starts a daemon in its own process group, detached from ours, with stdout and stderr appended to
 * logs/<name>.log and its PID in run/<name>.pid: `./lab down` finds and stops it from any shell, and a
 * Ctrl-C in the terminal that started it does not reach it.
 */
export function spawnDetached (paths: LabPaths, spec: SpawnSpec): Spawned {
  mkdirSync(paths.logsDir, { recursive: true })
  mkdirSync(paths.runDir, { recursive: true })
  const fd = openSync(paths.log(spec.name), 'a')
  writeSync(fd, `${START_HEADER_PREFIX}${new Date().toISOString()}${START_HEADER_MARK}${spec.command} ${spec.args.join(' ')}\n`)
  let exitReason: string | undefined
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', fd, fd]
    })
    child.on('error', (err) => { exitReason = `could not start ${spec.command}: ${err.message}` })
    child.on('exit', (code, sig) => { exitReason ??= `exited with ${sig ?? `code ${code}`}` })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${spec.command} for ${spec.name}`)
    writeFileSync(paths.pid(spec.name), `${child.pid}\n`)
    return { pid: child.pid, exit: () => exitReason }
  } finally {
    closeSync(fd)
  }
}

/**
 * The PID of a running daemon from its PID file, or undefined when there is none, it is dead, or the
 * PID now belongs to another program (the marker must appear in its command line).
 */
export function runningPid (paths: LabPaths, name: string, marker: string): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(paths.pid(name), 'utf8').trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return undefined
  return commandLine(pid).includes(marker) ? pid : undefined
}

export interface StopOptions {
  /** Signal for the group leader: SIGTERM for most, SIGINT is Postgres' "fast" shutdown. */
  signal: NodeJS.Signals
  /** Send it to the whole group (true) or to the leader only, which then stops its children. */
  toGroup: boolean
  timeoutMs: number
}

/**
 * Stops a daemon and everything in its process group: the signal, a wait for the group to empty, then
 * SIGKILL to the group after the timeout. Returns how it ended.
 */
export async function stopDaemon (paths: LabPaths, name: string, pid: number, options: StopOptions): Promise<'stopped' | 'killed'> {
  signal(options.toGroup ? -pid : pid, options.signal)
  let outcome: 'stopped' | 'killed' = 'stopped'
  if (!await groupGone(pid, options.timeoutMs)) {
    // Children that left the group (Postgres' backends call setsid) go too.
    for (const member of processTree(pid)) signal(member, 'SIGKILL')
    signal(-pid, 'SIGKILL')
    outcome = 'killed'
    if (!await groupGone(pid, 5000)) throw new Error(`${name}: process group ${pid} survived SIGKILL`)
  }
  rmSync(paths.pid(name), { force: true })
  return outcome
}

async function groupGone (pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > deadline) return false
    await sleep(50)
  }
  return true
}
