import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { createBreaker } from '@lab/platform'
import type { CatalogConfig } from '../config.js'
import type { CatalogMetrics } from '../metrics.js'
import { CacheAside } from '../cache/cache-aside.js'
import { CacheAsideWithoutCoalescing } from '../cache/cache-aside-no-coalescing.js'
import { readWithoutCache } from '../cache/cache-off.js'
import type { CacheRead } from '../cache/cache-entry.js'
import type { CachePatternSwitches } from '../patterns.js'
import type { ProductPage } from '../schemas/product.js'

export interface ProductPages {
  /** The page, read through the cache; `value` null means no such product. */
  read: (id: number) => Promise<CacheRead<ProductPage>>
  /** Delete-on-write: call after a product changed in Postgres. */
  invalidate: (id: number) => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    productPages: ProductPages
  }
}

const REDIS_CONNECT_GRACE_MS = 2000

async function connectedWithin (redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true
  return await new Promise((resolve) => {
    const done = (connected: boolean) => () => {
      clearTimeout(timer)
      redis.off('ready', onReady)
      resolve(connected)
    }
    const onReady = done(true)
    const timer = setTimeout(done(false), ms)
    redis.once('ready', onReady)
  })
}

/** Bump when the shape of ProductPage changes, so replicas never read each other's old documents. */
const keyOf = (id: number) => `product-page:v1:${id}`

const ALL_ON: CachePatternSwitches = { cache: true, singleFlight: true, negativeCache: true }

/**
 * Wires the cache-aside pattern (src/cache/) to the product page query: decorated as `app.productPages`.
 * The switches (read on every call, so a change applies to the next request; all on when absent) pick
 * the variant of each read: the pattern, or the one with its cache or its single flight switched off.
 */
export const productPagesPlugin = fp<{ config: CatalogConfig, metrics: CatalogMetrics, switches?: () => CachePatternSwitches }>(async (app, { config, metrics, switches = () => ALL_ON }) => {
  // One breaker around every Redis call of the cache: a slow Redis costs the command timeout only until
  // it opens; then reads go straight to Postgres (`x-cache: bypass`). Its timeout is a backstop behind
  // the client's own command timeout.
  const breaker = createBreaker({
    name: 'redis',
    timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS * 2,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    resetTimeoutMs: config.BREAKER_RESET_MS,
    metrics: metrics.breakers,
    log: app.log
  })
  const store = {
    redis: app.redis,
    breaker,
    metrics,
    log: app.log,
    ttlSeconds: config.CACHE_TTL_SECONDS,
    ttlJitter: config.CACHE_TTL_JITTER,
    negativeTtlSeconds: config.NEGATIVE_TTL_SECONDS
  }
  const cache = new CacheAside<ProductPage>({ ...store, lockTtlMs: config.LOCK_TTL_MS, negativeCache: () => switches().negativeCache })
  const uncoalesced = new CacheAsideWithoutCoalescing<ProductPage>(store)
  app.decorate('productPages', {
    read: async (id) => {
      const on = switches()
      const load = async () => await app.catalogDb.loadProductPage(id)
      if (!on.cache) return await readWithoutCache(load, metrics)
      if (!on.singleFlight) return await uncoalesced.read(keyOf(id), load, on.negativeCache)
      return await cache.read(keyOf(id), load)
    },
    invalidate: async (id) => { await cache.invalidate(keyOf(id)) }
  } satisfies ProductPages)
  // Give Redis a moment to connect before the first request: the client fails fast while it is still
  // connecting, and every early request would bypass the cache. Not connected in time: start anyway.
  app.addHook('onReady', async () => {
    if (!(await connectedWithin(app.redis, REDIS_CONNECT_GRACE_MS))) app.log.warn('redis not connected at start; serving from postgres until it is')
  })
  app.addHook('onClose', async () => { breaker.shutdown() })
}, { name: 'product-pages', dependencies: ['lab-redis', 'catalog-db'] })
