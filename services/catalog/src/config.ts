import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase, postgresConfig } from '@lab/platform'

/**
 * Everything the catalog reads from its environment, validated once at boot. Names of the shared ones
 * (HOST, PORT, INSTANCE_ID, DATABASE_URL, REDIS_URL) come from infra/topology.ts; the rest are the
 * knobs of the cache-aside pattern and the seed, with defaults that suit the lab.
 */
export const CatalogConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'catalog', port: 7101 }),
  ...postgresConfig('catalog'),
  REDIS_URL: Type.String({ minLength: 1, description: 'redis://host:port' }),
  /** Every key the catalog writes starts with this, so replicas share keys and tests never collide. */
  REDIS_KEY_PREFIX: Type.String({ default: 'catalog:' }),
  /** A Redis command slower than this counts as a failure (fail open instead of stalling requests). */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 250 }),

  CACHE_TTL_SECONDS: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** Fraction of the TTL added or removed at random: 0.2 gives 48..72 s for a 60 s TTL. */
  CACHE_TTL_JITTER: Type.Number({ minimum: 0, maximum: 0.9, default: 0.2 }),
  NEGATIVE_TTL_SECONDS: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  /** How long a replica may hold the "I am loading this key" lock; waiters give up after it. */
  LOCK_TTL_MS: Type.Integer({ minimum: 50, default: 3000 }),

  /** Circuit breaker around Redis: open after this share of failures (percent) ... */
  BREAKER_ERROR_THRESHOLD_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** ... among at least this many calls in the rolling window (10 s) ... */
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** ... and probe Redis again (half-open) after this long. */
  BREAKER_RESET_MS: Type.Integer({ minimum: 100, default: 5000 }),

  SEED_ON_BOOT: Type.Boolean({ default: true }),
  SEED_CATEGORIES: Type.Integer({ minimum: 1, default: 20 }),
  SEED_PRODUCTS: Type.Integer({ minimum: 1, default: 10_000 }),
  SEED_REVIEWS: Type.Integer({ minimum: 0, default: 1_000_000 })
})

export type CatalogConfig = Readonly<Static<typeof CatalogConfigSchema>>

export function loadCatalogConfig (env?: Record<string, string | undefined>): CatalogConfig {
  return loadConfig(CatalogConfigSchema, env)
}
