import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import { isBreakerOpenError, type Breaker } from '@lab/platform'
import type { CacheMetrics } from '../metrics.js'
import { ttlWithJitterMs } from './ttl.js'

/**
 * What cache-aside.ts and its switched-off variants share: the stored form of a value, the answer a
 * read gives, and the Redis calls behind the breaker.
 */

/** How the value was obtained; also the `result` label of cache_requests_total ('off': the cache switched off by the lab). */
export type CacheSource = 'hit' | 'miss' | 'bypass' | 'negative_hit' | 'off'

export interface CacheRead<T> {
  /** null: the loader found nothing (the caller answers 404). */
  value: T | null
  source: CacheSource
}

/** What a cache reads and writes Redis with. */
export interface CacheStoreOptions {
  redis: Redis
  breaker: Breaker
  metrics: CacheMetrics
  log: FastifyBaseLogger
  ttlSeconds: number
  ttlJitter: number
  negativeTtlSeconds: number
}

/** Stored for ids that do not exist. Values are always JSON objects, so this can never collide. */
export const NOT_FOUND = '!not-found'

/** The stored form of a loaded value: JSON with a jittered TTL, or the short-lived "not found" sentinel. */
export function encodeEntry<T> (value: T | null, { negativeTtlSeconds, ttlSeconds, ttlJitter }: CacheStoreOptions): { payload: string, ttlMs: number } {
  return value === null
    ? { payload: NOT_FOUND, ttlMs: Math.round(negativeTtlSeconds * 1000) }
    : { payload: JSON.stringify(value), ttlMs: ttlWithJitterMs(ttlSeconds, ttlJitter) }
}

export function decodeEntry<T> (cached: string): CacheRead<T> {
  return cached === NOT_FOUND ? { value: null, source: 'negative_hit' } : { value: JSON.parse(cached) as T, source: 'hit' }
}

/** Fail open: Redis is unavailable, so Postgres answers and nothing is cached. */
export async function bypass<T> (load: () => Promise<T | null>): Promise<CacheRead<T>> {
  return { value: await load(), source: 'bypass' }
}

/** Every Redis call goes through the breaker; real failures are counted by operation and logged. */
export function guardedRedisCall ({ breaker, metrics, log }: Pick<CacheStoreOptions, 'breaker' | 'metrics' | 'log'>) {
  return async <R>(operation: string, call: () => Promise<R>): Promise<R> => {
    try {
      return await breaker.run(call)
    } catch (err) {
      if (!isBreakerOpenError(err)) {
        metrics.cacheErrors.inc({ operation })
        log.warn({ err, operation }, 'redis call failed; failing open')
      }
      throw err
    }
  }
}
