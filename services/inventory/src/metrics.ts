import { Counter, type Registry } from 'prom-client'
import { createOptimisticLockMetrics } from '@lab/platform'
import { STRATEGIES } from './config.js'

export const RESERVATION_OUTCOMES = ['reserved', 'out_of_stock', 'conflict', 'replayed'] as const

/**
 * Inventory's own metric families, on the injected registry. Labels are closed sets (three strategies,
 * four outcomes, one service name), never ids. The oversell gauge needs the pool: see stock/oversell.ts.
 */
export function createInventoryMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    reservations: new Counter({
      name: 'inventory_reservations_total',
      help: 'POST /reservations answers by strategy and outcome: reserved (new), out_of_stock, conflict (gave up: optimistic retries exhausted or pessimistic lock timeout), replayed (an id seen before)',
      labelNames: ['strategy', 'outcome'] as const,
      registers
    }),
    releases: new Counter({
      name: 'inventory_releases_total',
      help: 'POST /reservations/:id/release answers: released (stock returned), replayed (already released)',
      labelNames: ['outcome'] as const,
      registers
    }),
    // The lab-wide families (payments has them too), told apart by `service`.
    optimisticLock: createOptimisticLockMetrics(registry, 'inventory')
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const strategy of STRATEGIES) for (const outcome of RESERVATION_OUTCOMES) metrics.reservations.inc({ strategy, outcome }, 0)
  for (const outcome of ['released', 'replayed']) metrics.releases.inc({ outcome }, 0)
  return metrics
}

export type InventoryMetrics = ReturnType<typeof createInventoryMetrics>
