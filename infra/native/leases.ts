import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LabPaths } from './paths.js'
import { isAlive, startTime } from './processes.js'

/**
 * Who uses which components: run/leases/<owner>.json. A test run stops only what it started, and not
 * even that while another user (`./lab up`, a second test run) still holds a lease on it; otherwise two
 * engineers' test runs pull Postgres out from under each other. A process' lease dies with it; the
 * lease of `./lab up -d` lasts until `./lab down`. What a test run (any process-bound user) starts is
 * listed in run/leases/autostop: whoever leaves last stops it, even when its starter crashed.
 */
export interface Owner {
  id: string
  /** The process whose life bounds the lease; none for `./lab up -d`. */
  pid?: number
}

interface Lease { owner: Owner, started?: number, components: string[] }

export const DETACHED_UP: Owner = { id: 'up' }

export function processOwner (): Owner {
  return { id: `pid-${process.pid}`, pid: process.pid }
}

const dir = (paths: LabPaths) => join(paths.runDir, 'leases')
const file = (paths: LabPaths, owner: Owner) => join(dir(paths), `${owner.id}.json`)

function read (path: string): Lease | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Lease
  } catch {
    return undefined
  }
}

function live (lease: Lease): boolean {
  const { pid } = lease.owner
  return pid === undefined || (isAlive(pid) && startTime(pid) === lease.started)
}

export function addLease (paths: LabPaths, owner: Owner, components: string[]): void {
  mkdirSync(dir(paths), { recursive: true })
  // `./lab up -d` wants them up until `./lab down`: nobody else stops them on leaving.
  if (owner.id === DETACHED_UP.id) writeAutostop(paths, readAutostop(paths).filter((c) => !components.includes(c)))
  const previous = read(file(paths, owner))?.components ?? []
  const lease: Lease = { owner, components: [...new Set([...previous, ...components])] }
  if (owner.pid !== undefined) lease.started = startTime(owner.pid)
  writeFileSync(file(paths, owner), `${JSON.stringify(lease)}\n`)
}

export function dropLease (paths: LabPaths, owner: Owner): void {
  rmSync(file(paths, owner), { force: true })
}

/** Component → the other live owners using it; dead owners' leases are removed on the way. */
export function usedByOthers (paths: LabPaths, owner: Owner): Map<string, string[]> {
  const users = new Map<string, string[]>()
  let names: string[] = []
  try {
    names = readdirSync(dir(paths)).filter((f) => f.endsWith('.json'))
  } catch {}
  for (const name of names) {
    const path = join(dir(paths), name)
    const lease = read(path)
    if (lease === undefined || !live(lease)) {
      rmSync(path, { force: true })
      continue
    }
    if (lease.owner.id === owner.id) continue
    for (const c of lease.components) users.set(c, [...(users.get(c) ?? []), lease.owner.pid === undefined ? './lab up' : `process ${lease.owner.pid}`])
  }
  return users
}

const autostopFile = (paths: LabPaths) => join(dir(paths), 'autostop')

/** Components started by process-bound users: to be stopped once nobody uses them. */
export function readAutostop (paths: LabPaths): string[] {
  try {
    return readFileSync(autostopFile(paths), 'utf8').split('\n').filter((l) => l !== '')
  } catch {
    return []
  }
}

export function writeAutostop (paths: LabPaths, components: string[]): void {
  mkdirSync(dir(paths), { recursive: true })
  if (components.length === 0) rmSync(autostopFile(paths), { force: true })
  else writeFileSync(autostopFile(paths), `${[...new Set(components)].join('\n')}\n`)
}

export function clearLeases (paths: LabPaths): void {
  rmSync(dir(paths), { recursive: true, force: true })
}
