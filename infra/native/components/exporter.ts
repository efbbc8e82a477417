import type { ExporterRun } from '../../config/exporters.js'
import { inheritedEnv } from '../config.js'
import type { Component } from './component.js'

/** Its /metrics answers and says the exporter reaches what it watches (`pg_up 1`, `redis_up 1`). */
export async function exporterReaches (port: number, upLine: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) { await response.body?.cancel(); return false }
    return (await response.text()).split('\n').includes(upLine)
  } catch {
    return false
  }
}

/**
 * A Prometheus exporter from Debian's packages (prometheus-postgres-exporter, prometheus-redis-exporter),
 * started with the flags and environment of infra/config/exporters.ts, the same as in Docker.
 */
export function exporterComponent (spec: { name: string, command: string, port: number, dependsOn: string[], run: ExporterRun }): Component {
  return {
    name: spec.name,
    kind: 'infra',
    port: spec.port,
    dependsOn: spec.dependsOn,
    marker: spec.command,
    startTimeoutMs: 15_000,
    stop: { signal: 'SIGTERM', toGroup: true, timeoutMs: 10_000 },
    healthy: async () => await exporterReaches(spec.port, spec.run.upLine),
    spawnSpec: () => ({
      name: spec.name,
      command: spec.command,
      args: spec.run.args,
      env: { ...inheritedEnv(), ...spec.run.env }
    })
  }
}
