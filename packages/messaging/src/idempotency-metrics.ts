import type { Counter, Registry } from 'prom-client'
import { sharedCounter } from './metrics.js'

/**
 * idempotent_replays_total{service}: requests answered from the stored response of an earlier request
 * with the same Idempotency-Key (a stored 4xx included). One family for every service with such a
 * route (orders' POST /orders, payments' POST /transfers), its series at 0 from the start.
 */
export function createIdempotencyMetrics (registry: Registry, service: string): { replays: Counter<'service'> } {
  const replays = sharedCounter(registry, 'idempotent_replays_total', 'Requests answered with the stored response of an earlier request with the same Idempotency-Key', ['service'])
  replays.inc({ service }, 0)
  return { replays }
}
