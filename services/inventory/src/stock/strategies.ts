import type pg from 'pg'
import type { InventoryConfig, StrategyName } from '../config.js'
import type { InventoryMetrics } from '../metrics.js'
import { createNaiveReserve } from './naive.js'
import { createOptimisticReserve } from './optimistic.js'
import { createPessimisticReserve } from './pessimistic.js'
import type { ReserveStock } from './strategy.js'

/** The three strategies, each configured from the service's config, by name. */
export function createStrategies (pool: pg.Pool, config: InventoryConfig, metrics: InventoryMetrics): Record<StrategyName, ReserveStock> {
  return {
    optimistic: createOptimisticReserve(pool, {
      maxAttempts: config.OPTIMISTIC_MAX_ATTEMPTS,
      backoffBaseMs: config.OPTIMISTIC_BACKOFF_BASE_MS,
      backoffMaxMs: config.OPTIMISTIC_BACKOFF_MAX_MS
    }, metrics.optimisticLock),
    naive: createNaiveReserve(pool, { writeDelayMs: config.NAIVE_WRITE_DELAY_MS }),
    pessimistic: createPessimisticReserve(pool, { lockTimeoutMs: config.PESSIMISTIC_LOCK_TIMEOUT_MS })
  }
}
