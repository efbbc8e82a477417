import { join } from 'node:path'
import type { Component, StartOptions } from './components/component.js'
import { addLease, dropLease, readAutostop, usedByOthers, writeAutostop, type Owner } from './leases.js'
import { withLock } from './lock.js'
import { shortPath, type LabPaths } from './paths.js'
import { isAlive } from './processes.js'
import { runningPid, spawnDetached, stopDaemon } from './supervisor.js'
import { ComponentStartError, waitUntilHealthy } from './wait.js'

export interface EnsureOptions extends StartOptions {
  log: (line: string) => void
  /** Who will use the components: recorded as a lease, so others do not stop them meanwhile. */
  owner: Owner
}

export interface EnsureResult {
  /** Components this call started (the caller stops these, and only these). */
  started: string[]
}

/** Some components did not come up; `started` lists those that did and still run. */
export class EnsureError extends Error {
  override name = 'EnsureError'
  constructor (message: string, readonly started: string[]) {
    super(message)
  }
}

class DependencyFailed extends Error {}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Starting, leasing and releasing happen one caller at a time, so no daemon starts twice. */
export async function exclusively<T> (paths: LabPaths, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const onWait = (pid: number) => log(`waiting for process ${pid}, which is starting or stopping lab components`)
  return await withLock(join(paths.runDir, 'lab.lock'), { timeoutMs: 10 * 60_000, onWait }, fn)
}

/**
 * Brings the components up, dependencies first and independent ones in parallel; a running, healthy
 * component is left alone. Leases them all to the owner, the ones that failed excepted.
 */
export async function ensureComponents (paths: LabPaths, components: Component[], options: EnsureOptions): Promise<EnsureResult> {
  return await exclusively(paths, options.log, async () => {
    const result: EnsureResult = { started: [] }
    const pending = new Map<string, Promise<void>>()
    for (const component of components) {
      const deps = component.dependsOn.map((d) => pending.get(d)).filter((p) => p !== undefined)
      pending.set(component.name, (async () => {
        const settled = await Promise.allSettled(deps)
        if (settled.some((s) => s.status === 'rejected')) throw new DependencyFailed(`${component.name}: not started, a dependency failed`)
        if (await bringUp(paths, component, options)) result.started.push(component.name)
      })())
    }
    const settled = await Promise.allSettled(pending.values())
    addLease(paths, options.owner, components.filter((_, i) => settled[i]?.status === 'fulfilled').map((c) => c.name))
    if (options.owner.pid !== undefined) writeAutostop(paths, [...readAutostop(paths), ...result.started])
    const failures = settled
      .filter((s) => s.status === 'rejected')
      .map((s) => s.reason as Error)
    if (failures.length > 0) {
      const primary = failures.filter((e) => !(e instanceof DependencyFailed))
      throw new EnsureError([...primary, ...failures.filter((e) => e instanceof DependencyFailed)].map((e) => e.message).join('\n'), result.started)
    }
    return result
  })
}

/** Starts one component unless it already answers; true when this call started it. */
async function bringUp (paths: LabPaths, component: Component, options: EnsureOptions): Promise<boolean> {
  const { name } = component
  const t0 = Date.now()
  const logFile = paths.log(name)
  const wait = async (gone: () => string | undefined) => await waitUntilHealthy({ component: name, probe: component.healthy, timeoutMs: component.startTimeoutMs, logFile, gone })
  const existing = runningPid(paths, name, component.marker)
  if (await component.healthy()) {
    options.log(`${name}: already running${existing === undefined ? ' (not started by this lab: no PID file)' : ` (pid ${existing})`}`)
    await component.afterHealthy?.()
    return false
  }
  if (existing !== undefined) {
    options.log(`${name}: running (pid ${existing}) but not healthy yet; waiting`)
    await wait(() => (isAlive(existing) ? undefined : 'the process exited'))
    await component.afterHealthy?.()
    return false
  }
  try {
    await component.prepare?.(paths, options)
  } catch (err) {
    throw new ComponentStartError(name, `could not be prepared: ${(err as Error).message}`, logFile)
  }
  const spawned = spawnDetached(paths, component.spawnSpec(paths, options))
  options.log(`${name}: starting (pid ${spawned.pid}, log ${shortPath(logFile)})`)
  try {
    await wait(spawned.exit)
    await component.afterHealthy?.()
  } catch (err) {
    // Leave nothing half-started behind; the log keeps what happened.
    await stopDaemon(paths, name, spawned.pid, component.stop).catch(() => {})
    throw err
  }
  options.log(`${name}: healthy in ${seconds(Date.now() - t0)}`)
  return true
}

/**
 * Stops components, dependents before their dependencies (the gateway before the catalog before
 * Postgres); components at the same depth stop in parallel. Data is kept.
 */
export async function stopComponents (paths: LabPaths, components: Component[], log: (line: string) => void): Promise<void> {
  const byName = new Map(components.map((c) => [c.name, c]))
  const depth = (c: Component): number => Math.max(0, ...c.dependsOn.map((d) => byName.get(d)).filter((d) => d !== undefined).map((d) => depth(d) + 1))
  const levels = [...new Set(components.map(depth))].sort((a, b) => b - a)
  for (const level of levels) {
    await Promise.all(components.filter((c) => depth(c) === level).map(async (c) => {
      const pid = runningPid(paths, c.name, c.marker)
      if (pid === undefined) return
      const t0 = Date.now()
      const how = await stopDaemon(paths, c.name, pid, c.stop)
      log(`${c.name}: ${how === 'stopped' ? 'stopped' : `killed (no exit within ${seconds(c.stop.timeoutMs)})`} (pid ${pid}) in ${seconds(Date.now() - t0)}`)
    }))
  }
}

/**
 * Ends the owner's use of the lab, and stops the components it names plus those on the autostop list,
 * except the ones another user still holds a lease on: those go (or stay) on the list.
 */
export async function releaseComponents (paths: LabPaths, owner: Owner, names: string[], all: Component[], log: (line: string) => void): Promise<void> {
  await exclusively(paths, log, async () => {
    dropLease(paths, owner)
    const others = usedByOthers(paths, owner)
    const candidates = new Set([...names, ...readAutostop(paths)])
    const kept = [...candidates].filter((name) => others.has(name))
    for (const name of kept.filter((n) => names.includes(n))) log(`${name}: kept running, still used by ${others.get(name)?.join(' and ') ?? 'another user'}`)
    writeAutostop(paths, kept)
    await stopComponents(paths, all.filter((c) => candidates.has(c.name) && !others.has(c.name)), log)
  })
}
