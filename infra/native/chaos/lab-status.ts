import { composeServicesStatus } from '../../docker/compose-processes.js'
import { labMode } from '../../docker/mode.js'
import type { Component } from '../components/component.js'
import { componentStates, isDown } from '../components/states.js'
import type { LabPaths } from '../paths.js'
import { AdminRefusedError, LabNotRunningError, type AdminClient } from './admin-client.js'
import type { ChaosStatus } from './format.js'

/**
 * The lab's processes: none of ours running (no lab), or which are down or not answering. With
 * LAB_MODE=docker they are the Compose project's containers (`docker: true`), down = not running.
 */
export type ProcessesStatus =
  | { native: false }
  | { native: true, docker?: true, total: number, down: string[], unhealthy: string[] }

/** What is broken right now: the processes (seen here) and what the admin API reports, or why it could not. */
export interface LabStatus {
  processes: ProcessesStatus
  admin: ChaosStatus | { error: string }
}

/** The native lab's processes as `./lab status` sees them. */
export async function processesStatus (paths: LabPaths, components: Component[]): Promise<ProcessesStatus> {
  if (labMode() === 'docker') {
    const containers = await composeServicesStatus()
    return containers === undefined ? { native: false } : { native: true, docker: true, ...containers }
  }
  const states = await componentStates(paths, components)
  if (states.every((s) => s.pid === undefined)) return { native: false }
  return {
    native: true,
    total: states.length,
    down: states.filter(isDown).map((s) => s.component.name),
    unhealthy: states.filter((s) => s.pid !== undefined && !s.healthy).map((s) => s.component.name)
  }
}

/** One admin API call whose failure (gateway down, credential refused) is part of the answer, not a crash. */
export async function askAdmin (admin: AdminClient, method: 'GET' | 'POST', path: string): Promise<ChaosStatus | { error: string }> {
  try {
    return await admin.call(method, path) as ChaosStatus
  } catch (err) {
    if (err instanceof LabNotRunningError || err instanceof AdminRefusedError) return { error: err.message }
    throw err
  }
}

export async function labStatus (paths: LabPaths, components: Component[], admin: AdminClient): Promise<LabStatus> {
  const [processes, answer] = await Promise.all([processesStatus(paths, components), askAdmin(admin, 'GET', '/admin/chaos')])
  return { processes, admin: answer }
}

export function isLabHealthy ({ processes, admin }: LabStatus): boolean {
  const processesOk = !processes.native || (processes.down.length === 0 && processes.unhealthy.length === 0)
  return processesOk && 'healthy' in admin && admin.healthy
}
