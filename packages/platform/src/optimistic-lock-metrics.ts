import { Counter, type Registry } from 'prom-client'

/**
 * The lab-wide optimistic-locking families, one definition for every service that uses a `version`
 * column (inventory's stock, payments' wallets), told apart by `service`: a dashboard or alert reads
 * them the same way everywhere. Pre-set to 0 for the service, so a quiet service still has its series.
 */
export function createOptimisticLockMetrics (registry: Registry, service: string) {
  const metrics = {
    conflicts: new Counter({
      name: 'optimistic_lock_conflicts_total',
      help: 'Conditional writes (… WHERE version = $v) that matched no row because another writer changed the version first',
      labelNames: ['service'] as const,
      registers: [registry]
    }),
    retries: new Counter({
      name: 'optimistic_lock_retries_total',
      help: 'Writes tried again, after a jittered backoff, following an optimistic-lock conflict',
      labelNames: ['service'] as const,
      registers: [registry]
    })
  }
  metrics.conflicts.inc({ service }, 0)
  metrics.retries.inc({ service }, 0)
  return metrics
}
