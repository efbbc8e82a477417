import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { acquireLock, releaseLock, setIfLockHeld } from './redis-lock.js'
import { SingleFlight } from './single-flight.js'
import { bypass, decodeEntry, encodeEntry, guardedRedisCall, NOT_FOUND, type CacheRead, type CacheStoreOptions } from './cache-entry.js'

/**
 * Cache-aside (lazy loading) on Redis: the one place the catalog's caching pattern lives.
 *
 *   read(key):  Redis GET → hit: answer from Redis.
 *               miss: one caller per key and per process loads (SingleFlight), one process across
 *               all replicas loads (Redis lock SET NX PX); the others wait for its value. The loader
 *               reads Postgres and writes the value with a jittered TTL (or a short-lived "not found"
 *               sentinel), then releases the lock.
 *               Redis failing or breaker open: read Postgres directly ("bypass"): fail open.
 *   invalidate(key): after a successful write to Postgres, DELETE the key (delete-on-write); never
 *               write the new value from the writer, which could race with a loader's older value.
 *
 * Known limits, on purpose: a page also shows its related products, whose names and prices may lag
 * by up to one TTL (a write deletes only its own product's page). A delete that fails because Redis is
 * down is retried by the writing replica as soon as Redis answers; other replicas may serve the old
 * page until then (at most one TTL, if the writing replica died meanwhile).
 *
 * The lab's switches pick, per read, in plugins/product-pages.ts: `cache` off, cache-off.ts; `single-flight`
 * off, cache-aside-no-coalescing.ts; `negative-cache` off, the `negativeCache` option here.
 *
 * @see https://docs.aws.amazon.com/whitepapers/latest/database-caching-strategies-using-redis/caching-patterns.html
 */

export interface CacheAsideOptions extends CacheStoreOptions {
  lockTtlMs: number
  /**
   * Whether "not found" is remembered (the `negative-cache` switch), read each time it matters, so a
   * change applies to the next request; on when absent. Off: a remembered "not found" is ignored (it
   * expires by itself) and a missing id is not remembered.
   */
  negativeCache?: () => boolean
}

/** Rounds of "wait for the lock holder, then try to take the lock" before reading Postgres uncached. */
const MAX_LOCK_ROUNDS = 3
const FIRST_POLL_MS = 5
const MAX_POLL_MS = 50

export class CacheAside<T> {
  readonly #opts: CacheAsideOptions
  readonly #redis: ReturnType<typeof guardedRedisCall>
  readonly #local = new SingleFlight<CacheRead<T>>()
  /** Keys whose delete-on-write failed: deleted when Redis is back, and never served until then. */
  readonly #pendingInvalidations = new Set<string>()

  constructor (opts: CacheAsideOptions) {
    this.#opts = opts
    this.#redis = guardedRedisCall(opts)
    opts.breaker.onClose(() => { this.#retryInvalidations().catch(() => {}) })
  }

  async read (key: string, load: () => Promise<T | null>): Promise<CacheRead<T>> {
    const { value, shared } = await this.#local.run(key, async () => await this.#readThrough(key, load))
    if (shared) this.#opts.metrics.singleFlightCoalesced.inc({ scope: 'local' })
    this.#opts.metrics.cacheRequests.inc({ result: value.source })
    return value
  }

  /** Delete-on-write: call after the write to Postgres committed, before answering the writer. */
  async invalidate (key: string): Promise<void> {
    // A read of this key already under way here may have loaded the old row: later reads must not
    // join it, or the writer could read its own write back stale.
    this.#local.forget(key)
    try {
      // Deleting the lock too revokes the "lease" of any loader still holding the old row: its
      // guarded write (setIfLockHeld) then fails instead of putting stale data back.
      await this.#redis('delete', async () => await this.#opts.redis.del(key, lockKeyOf(key)))
      this.#pendingInvalidations.delete(key)
    } catch {
      // Redis is down: remember the key. This replica will not serve it from Redis until the delete
      // succeeds; other replicas can, for at most one TTL, once Redis is back.
      if (!this.#pendingInvalidations.has(key)) this.#opts.log.warn({ key }, 'cache invalidation deferred until Redis answers')
      this.#pendingInvalidations.add(key)
    }
    this.#opts.metrics.pendingInvalidations.set(this.#pendingInvalidations.size)
  }

  async #readThrough (key: string, load: () => Promise<T | null>): Promise<CacheRead<T>> {
    if (this.#pendingInvalidations.has(key)) {
      await this.invalidate(key)
      if (this.#pendingInvalidations.has(key)) return await bypass(load)
    }
    let cached: string | null
    try {
      cached = await this.#redis('get', async () => await this.#opts.redis.get(key))
    } catch {
      return await bypass(load)
    }
    // Negative caching switched off: a remembered "not found" is ignored (it expires by itself).
    if (cached !== null && (cached !== NOT_FOUND || this.#negativeCache())) return decodeEntry<T>(cached)
    return await this.#loadOnceAcrossReplicas(key, load)
  }

  /** Cross-replica single flight: whoever takes the lock loads; the others poll for its value. */
  async #loadOnceAcrossReplicas (key: string, load: () => Promise<T | null>): Promise<CacheRead<T>> {
    const lockKey = lockKeyOf(key)
    for (let round = 0; round < MAX_LOCK_ROUNDS; round++) {
      const token = randomUUID()
      let acquired: boolean
      try {
        acquired = await this.#redis('lock', async () => await acquireLock(this.#opts.redis, lockKey, token, this.#opts.lockTtlMs))
      } catch {
        return await bypass(load)
      }
      if (acquired) return await this.#loadAsLockHolder(key, lockKey, token, load)

      let cached: string | null
      try {
        cached = await this.#waitForLockHolder(key, lockKey)
      } catch {
        return await bypass(load)
      }
      if (cached !== null) {
        this.#opts.metrics.singleFlightCoalesced.inc({ scope: 'remote' })
        return decodeEntry<T>(cached)
      }
      // The lock is gone and no value came: its holder died, failed, or the key was invalidated
      // meanwhile. Take over: the next round tries to take the lock ourselves.
    }
    // Holders kept failing (or the key kept being invalidated): answer from Postgres, uncached.
    return { value: await load(), source: 'miss' }
  }

  async #loadAsLockHolder (key: string, lockKey: string, token: string, load: () => Promise<T | null>): Promise<CacheRead<T>> {
    // Re-check under the lock: between our GET (miss) and our SET NX another replica may have
    // loaded the key, written it and released its lock. Without this we would read Postgres twice.
    let cached: string | null
    try {
      cached = await this.#redis('get', async () => await this.#opts.redis.get(key))
    } catch {
      await this.#release(lockKey, token)
      return await bypass(load)
    }
    if (cached !== null) {
      await this.#release(lockKey, token)
      return decodeEntry<T>(cached)
    }

    let value: T | null
    try {
      value = await load()
    } catch (err) {
      await this.#release(lockKey, token) // let a waiter take over now rather than at lock expiry
      throw err
    }
    if (value === null && !this.#negativeCache()) {
      await this.#release(lockKey, token)
      return { value, source: 'miss' }
    }
    const { payload, ttlMs } = encodeEntry(value, this.#opts)
    try {
      const written = await this.#redis('set', async () => await setIfLockHeld(this.#opts.redis, key, lockKey, token, payload, ttlMs))
      if (!written) this.#opts.log.debug({ key }, 'lock lost before the write (invalidated or expired): value not cached')
    } catch {
      // Counted in cache_errors_total; the caller still gets the value it loaded.
    }
    return { value, source: 'miss' }
  }

  #negativeCache (): boolean {
    return this.#opts.negativeCache?.() ?? true
  }

  /**
   * Polls the value and the lock with a growing, jittered delay, bounded by the lock's TTL.
   * @returns the cached value once written, or null when the lock disappeared without one
   */
  async #waitForLockHolder (key: string, lockKey: string): Promise<string | null> {
    const deadline = Date.now() + this.#opts.lockTtlMs
    let delayMs = FIRST_POLL_MS
    while (Date.now() < deadline) {
      await sleep(delayMs * (0.5 + Math.random())) // jitter: waiters on several replicas do not poll in step
      const [cached, holder] = await this.#redis('poll', async () => await this.#opts.redis.mget(key, lockKey))
      if (cached != null) return cached
      if (holder == null) return null
      delayMs = Math.min(delayMs * 2, MAX_POLL_MS)
    }
    return null
  }

  async #release (lockKey: string, token: string): Promise<void> {
    try {
      await this.#redis('unlock', async () => { await releaseLock(this.#opts.redis, lockKey, token) })
    } catch {
      // The lock expires by itself after lockTtlMs.
    }
  }

  async #retryInvalidations (): Promise<void> {
    for (const key of [...this.#pendingInvalidations]) await this.invalidate(key)
  }
}

function lockKeyOf (key: string): string {
  return `${key}:lock`
}
