import { bypass, decodeEntry, encodeEntry, guardedRedisCall, NOT_FOUND, type CacheRead, type CacheStoreOptions } from './cache-entry.js'

/**
 * Cache-aside with the `single-flight` switch off (picked per read in plugins/product-pages.ts, in place
 * of CacheAside.read): plain cache-aside, GET then on a miss load and SET, as every caller does for
 * itself, with no coalescing in-process or across replicas; N concurrent misses of one key are N
 * Postgres reads (the stampede). Invalidation stays CacheAside's.
 */
export class CacheAsideWithoutCoalescing<T> {
  readonly #opts: CacheStoreOptions
  readonly #redis: ReturnType<typeof guardedRedisCall>

  constructor (opts: CacheStoreOptions) {
    this.#opts = opts
    this.#redis = guardedRedisCall(opts)
  }

  /** `negativeCache` false: a remembered "not found" is ignored, and a missing id is not remembered. */
  async read (key: string, load: () => Promise<T | null>, negativeCache: boolean): Promise<CacheRead<T>> {
    const value = await this.#readThrough(key, load, negativeCache)
    this.#opts.metrics.cacheRequests.inc({ result: value.source })
    return value
  }

  async #readThrough (key: string, load: () => Promise<T | null>, negativeCache: boolean): Promise<CacheRead<T>> {
    const { redis } = this.#opts
    let cached: string | null
    try {
      cached = await this.#redis('get', async () => await redis.get(key))
    } catch {
      return await bypass(load)
    }
    if (cached !== null && (cached !== NOT_FOUND || negativeCache)) return decodeEntry<T>(cached)
    const value = await load()
    if (value === null && !negativeCache) return { value, source: 'miss' }
    const { payload, ttlMs } = encodeEntry(value, this.#opts)
    try {
      await this.#redis('set', async () => await redis.set(key, payload, 'PX', ttlMs))
    } catch {
      // Counted in cache_errors_total; the caller still gets the value it loaded.
    }
    return { value, source: 'miss' }
  }
}
