import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { processFault } from '../../infra/native/chaos/process-faults.js'
import { allComponents } from '../../infra/native/components/registry.js'
import { labHome } from '../../infra/native/config.js'
import { processOwner } from '../../infra/native/leases.js'
import { labPaths } from '../../infra/native/paths.js'

/** The PID of a native component, from <LAB_HOME>/run/<name>.pid (written by ./lab up). */
export function componentPid (name: string): number {
  const file = join(labHome(), 'run', `${name}.pid`)
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${file} holds no PID`)
  return pid
}

/**
 * SIGKILL to the component's whole process group (./lab up starts each in its own): a crash, no
 * graceful shutdown, no draining. Returns the PID killed.
 */
export function killComponent (name: string): number {
  const pid = componentPid(name)
  process.kill(-pid, 'SIGKILL')
  return pid
}

/**
 * Starts the component again (what `./lab chaos start <name>` does) and resolves once it is healthy.
 * Held by this process, not by `./lab up -d`: a test run that started the lab still stops it at its end.
 */
export async function startComponent (name: string): Promise<void> {
  const paths = labPaths()
  await processFault(paths, allComponents(paths), 'start', name, () => {}, processOwner())
}

/**
 * Stops a component with its own graceful stop (as `./lab chaos stop <name>`), runs `fn` while it is
 * down, and starts it again whatever happens (held by this process, like startComponent). Answers
 * when it was stopped and when it was healthy again (ms since the epoch).
 */
export async function withComponentStopped<T> (name: string, fn: () => Promise<T>, log: (line: string) => void): Promise<{ result: T, stoppedMs: number, backMs: number }> {
  const paths = labPaths()
  const components = allComponents(paths)
  await processFault(paths, components, 'stop', name, log, processOwner())
  const stoppedMs = Date.now()
  let result: T
  try {
    result = await fn()
  } finally {
    log(`starting ${name} again`)
    await processFault(paths, components, 'start', name, log, processOwner())
  }
  return { result, stoppedMs, backMs: Date.now() }
}
