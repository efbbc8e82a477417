import type { LabPaths } from '../paths.js'
import { runningPid } from '../supervisor.js'
import type { Component } from './component.js'

/** One component as `./lab status` sees it: our daemon's PID (none: not running) and whether it answers. */
export interface ComponentState {
  component: Component
  pid: number | undefined
  healthy: boolean
}

/** Every component probed at once (each probe has its own short timeout). */
export async function componentStates (paths: LabPaths, components: Component[]): Promise<ComponentState[]> {
  return await Promise.all(components.map(async (component) => ({
    component,
    pid: runningPid(paths, component.name, component.marker),
    healthy: await component.healthy()
  })))
}

/**
 * Down: no daemon of ours and nothing answering on its port (stopped, killed, crashed). A healthy
 * component without PID file runs outside this lab ("(external)" in ./lab status) and is not down.
 */
export function isDown (state: ComponentState): boolean {
  return state.pid === undefined && !state.healthy
}
