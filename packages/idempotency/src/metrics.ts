import { Counter, type Registry } from 'prom-client'

/**
 * idempotent_replays_total{service}: requests answered from the stored response of an earlier request
 * with the same Idempotency-Key (a stored 4xx included). One family for every service with such a
 * route (orders' POST /orders, payments' POST /transfers), its series at 0 from the start. Got or
 * created, so two apps on one registry (tests) share it: prom-client refuses a name twice.
 */
export function createIdempotencyMetrics (registry: Registry, service: string): { replays: Counter<'service'> } {
  const existing = registry.getSingleMetric('idempotent_replays_total') as Counter<'service'> | undefined
  const replays = existing ?? new Counter({
    name: 'idempotent_replays_total',
    help: 'Requests answered with the stored response of an earlier request with the same Idempotency-Key',
    labelNames: ['service'],
    registers: [registry]
  })
  replays.inc({ service }, 0)
  return { replays }
}
