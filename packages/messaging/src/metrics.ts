import { Counter, Gauge, type Registry } from 'prom-client'

/**
 * Get-or-create, so two relays or consumers in one process (tests, or a service with several
 * consumers) can share a registry: prom-client refuses to register a name twice.
 */
export function sharedCounter<L extends string> (registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name)
  if (existing !== undefined) return existing as Counter<L>
  return new Counter({ name, help, labelNames, registers: [registry] })
}

export function sharedGauge<L extends string> (registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  const existing = registry.getSingleMetric(name)
  if (existing !== undefined) return existing as Gauge<L>
  return new Gauge({ name, help, labelNames, registers: [registry] })
}
