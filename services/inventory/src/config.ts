import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase, postgresConfig } from '@lab/platform'

/** The three ways to take stock, side by side (src/stock/): see each file for its trade-offs. */
export const STRATEGIES = ['optimistic', 'naive', 'pessimistic'] as const
export type StrategyName = typeof STRATEGIES[number]

/**
 * Everything inventory reads from its environment, validated once at boot. The shared names (HOST,
 * PORT, INSTANCE_ID, DATABASE_URL, INVENTORY_STRATEGY, SEED_ITEMS) are the topology's and
 * services/inventory/README.md's; the rest are the knobs of the locking strategies and the seed.
 */
export const InventoryConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'inventory', port: 7201 }),
  ...postgresConfig('inventory'),

  /** The default strategy; a request may pick another with the `x-inventory-strategy` header. */
  INVENTORY_STRATEGY: Type.Union(STRATEGIES.map((s) => Type.Literal(s)), { default: 'optimistic' }),
  /** Optimistic: attempts per reservation (the first included) before answering 409 INVENTORY_CONFLICT. */
  OPTIMISTIC_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  /**
   * Optimistic: backoff before retry n is random in [0, min(MAX, BASE * 2^(n-1))] ms ("full jitter").
   * Measured on one hot row, 20 connections (bench/strategies.ts): 5/250 gave up on ~0.3% of buyers
   * where 2/100 gave up on ~4-8%, at about twice the throughput. The price: with 10 attempts a buyer may
   * sleep up to 5+10+…+160+3×250 ≈ 1.07 s in all (half that on average) before its last try.
   */
  OPTIMISTIC_BACKOFF_BASE_MS: Type.Number({ minimum: 0, default: 5 }),
  OPTIMISTIC_BACKOFF_MAX_MS: Type.Number({ minimum: 0, default: 250 }),
  /**
   * Naive: a pause between the read and the write, to make the lost update visible on a quiet
   * 2-core machine (the race exists at 0 too; the pause stands for any real work between the two).
   */
  NAIVE_WRITE_DELAY_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 5 }),
  /** Pessimistic: how long a buyer waits for the row lock before answering 409 INVENTORY_CONFLICT. */
  PESSIMISTIC_LOCK_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 2000 }),

  /** Items 1..N (the catalog's product ids), seeded when the table is empty; 0 seeds nothing. */
  SEED_ITEMS: Type.Integer({ minimum: 0, default: 10_000 }),
  /** Units of each seeded item. */
  SEED_STOCK: Type.Integer({ minimum: 0, default: 100 })
})

export type InventoryConfig = Readonly<Static<typeof InventoryConfigSchema>>

export function loadInventoryConfig (env?: Record<string, string | undefined>): InventoryConfig {
  return loadConfig(InventoryConfigSchema, env)
}
