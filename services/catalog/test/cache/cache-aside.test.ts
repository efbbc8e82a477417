import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { Registry } from 'prom-client'
import type { Redis } from 'ioredis'
import { createBreaker, createRedisClient, type Breaker } from '@lab/platform'
import { testInfra, uniqueName } from '@lab/testkit'
import { CacheAside } from '../../src/cache/cache-aside.js'
import { createCatalogMetrics } from '../../src/metrics.js'

/** The pattern on its own, on the real Redis, with loaders the test controls. */
let redis: Redis
let breaker: Breaker
const log = pino({ level: 'silent' })
const LOCK_TTL_MS = 500

beforeAll(async () => {
  redis = createRedisClient({ url: testInfra().redisUrl, keyPrefix: `${uniqueName('cache-aside')}:` })
  await new Promise((resolve) => redis.once('ready', resolve))
  const metrics = createCatalogMetrics(new Registry())
  breaker = createBreaker({ name: 'redis', timeoutMs: 500, errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1000, metrics: metrics.breakers, log })
})

afterAll(async () => {
  breaker?.shutdown()
  redis?.disconnect()
})

/** One "replica": its own in-process state and metrics, sharing the Redis keys with the others. */
function replica () {
  const registry = new Registry()
  const cache = new CacheAside<{ v: string }>({
    redis, breaker, metrics: createCatalogMetrics(registry), log, ttlSeconds: 60, ttlJitter: 0.2, negativeTtlSeconds: 10, lockTtlMs: LOCK_TTL_MS
  })
  return cache
}

describe('CacheAside', () => {
  it('does not write back a value loaded before a concurrent invalidation (no stale set)', async () => {
    const cache = replica()
    const key = uniqueName('k')
    let release: () => void = () => {}
    const loading = cache.read(key, async () => {
      await new Promise<void>((resolve) => { release = resolve })
      return { v: 'old row' }
    })
    await sleep(30) // the loader holds the lock and is "reading Postgres"
    await cache.invalidate(key) // a writer committed and deleted the key (and the lease)
    release()
    expect(await loading).toEqual({ value: { v: 'old row' }, source: 'miss' })
    expect(await redis.get(key)).toBeNull() // the old row was not put back
    expect(await cache.read(key, async () => ({ v: 'new row' }))).toEqual({ value: { v: 'new row' }, source: 'miss' })
    expect(await cache.read(key, async () => ({ v: 'never' }))).toEqual({ value: { v: 'new row' }, source: 'hit' })
  })

  it('never hands a read that starts after an invalidation the old row of a read under way', async () => {
    const cache = replica()
    const key = uniqueName('k')
    let release: () => void = () => {}
    const before = cache.read(key, async () => {
      await new Promise<void>((resolve) => { release = resolve })
      return { v: 'old row' }
    })
    await sleep(30)
    await cache.invalidate(key)
    const after = cache.read(key, async () => ({ v: 'new row' }))
    release()
    expect((await before).value).toEqual({ v: 'old row' })
    expect((await after).value).toEqual({ v: 'new row' })
    expect(await cache.read(key, async () => ({ v: 'never' }))).toEqual({ value: { v: 'new row' }, source: 'hit' })
  })

  it('takes over once the lock of a holder that died expires', async () => {
    const key = uniqueName('k')
    await redis.set(`${key}:lock`, randomUUID(), 'PX', LOCK_TTL_MS) // a replica took the lock, then crashed
    const started = performance.now()
    const result = await replica().read(key, async () => ({ v: 'loaded by the survivor' }))
    const waited = performance.now() - started
    expect(result).toEqual({ value: { v: 'loaded by the survivor' }, source: 'miss' })
    expect(waited).toBeGreaterThanOrEqual(LOCK_TTL_MS * 0.8)
    expect(waited).toBeLessThan(LOCK_TTL_MS * 3)
  })

  it('lets a waiter take over at once when the lock holder fails to load', async () => {
    const [a, b] = [replica(), replica()]
    const key = uniqueName('k')
    const failing = a.read(key, async () => { await sleep(50); throw new Error('postgres said no') })
    await sleep(10)
    const started = performance.now()
    const survivor = b.read(key, async () => ({ v: 'second try' }))
    await expect(failing).rejects.toThrow('postgres said no')
    expect(await survivor).toEqual({ value: { v: 'second try' }, source: 'miss' })
    expect(performance.now() - started).toBeLessThan(LOCK_TTL_MS)
  })

  it('stores "not found" with its own short TTL', async () => {
    const key = uniqueName('k')
    const cache = replica()
    expect(await cache.read(key, async () => null)).toEqual({ value: null, source: 'miss' })
    const ttl = await redis.pttl(key)
    expect(ttl).toBeGreaterThan(9_000)
    expect(ttl).toBeLessThanOrEqual(10_000)
    expect(await cache.read(key, async () => ({ v: 'never' }))).toEqual({ value: null, source: 'negative_hit' })
  })

  it('writes values with a jittered TTL', async () => {
    const cache = replica()
    const ttls = []
    for (let i = 0; i < 20; i++) {
      const key = uniqueName('k')
      await cache.read(key, async () => ({ v: 'x' }))
      ttls.push(await redis.pttl(key))
    }
    expect(Math.min(...ttls)).toBeGreaterThan(47_000)
    expect(Math.max(...ttls)).toBeLessThanOrEqual(72_000)
    expect(new Set(ttls.map((t) => Math.round(t / 1000))).size).toBeGreaterThan(5)
  })
})
