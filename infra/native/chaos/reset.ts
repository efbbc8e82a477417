import { composeProcessFault } from '../../docker/compose-processes.js'
import type { Component } from '../components/component.js'
import { withDependencies } from '../components/registry.js'
import { DETACHED_UP, type Owner } from '../leases.js'
import { EnsureError, ensureComponents } from '../orchestrator.js'
import type { LabPaths } from '../paths.js'
import type { AdminClient } from './admin-client.js'
import { askAdmin, processesStatus, type LabStatus } from './lab-status.js'

export interface LabReset {
  /** Components this reset started again (what was down, and what that needed). */
  started: string[]
  /** Why some could not be started (their logs say more); the admin API was reset all the same. */
  startError?: string
  /** The lab afterwards: the admin API's answer to the reset, and the processes probed again. */
  status: LabStatus
}

/**
 * `./lab chaos reset`: first starts every component of the native lab that is down (stopped, killed,
 * crashed; what `./lab chaos start <name>` does, for all of them at once, dependencies first), since the
 * gateway that serves the admin API may be one of them; then resets the admin API's faults.
 *
 * When no process of the native lab runs at all, nothing is started: that is a lab that is not up
 * (`./lab up -d` starts it) or a Docker one (`docker compose start`), not a fault to repair; the admin
 * API is still reset when a gateway answers. `owner` holds what is started, as in processFault.
 */
export async function resetLab (paths: LabPaths, components: Component[], admin: AdminClient, log: (line: string) => void, owner: Owner = DETACHED_UP): Promise<LabReset> {
  const before = await processesStatus(paths, components)
  const result: Omit<LabReset, 'status'> = { started: [] }
  if (before.native && before.docker === true && before.down.length > 0) {
    log(`starting what is down: ${before.down.join(', ')} (docker compose start)`)
    try {
      for (const name of before.down) await composeProcessFault('start', name, log)
      result.started = before.down
    } catch (err) {
      result.startError = (err as Error).message
    }
  } else if (before.native && before.down.length > 0) {
    log(`starting what is down: ${before.down.join(', ')}`)
    try {
      result.started = (await ensureComponents(paths, withDependencies(components, before.down), { fast: false, log, owner })).started
    } catch (err) {
      if (!(err instanceof EnsureError)) throw err
      result.started = err.started
      result.startError = err.message
    }
  }
  const answer = await askAdmin(admin, 'POST', '/admin/chaos/reset')
  const processes = before.native ? await processesStatus(paths, components) : before
  return { ...result, status: { processes, admin: answer } }
}
