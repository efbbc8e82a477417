import type { Redis } from 'ioredis'

/**
 * The short Redis lock that makes one replica load a key while the others wait, and the guarded write
 * that goes with it. The token (random per attempt) proves ownership, so a holder whose lock expired
 * never deletes or writes under someone else's lock.
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/ (single-instance variant)
 */

/** SET NX PX: true when this caller now holds the lock for `ttlMs`. */
export async function acquireLock (redis: Redis, lockKey: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(lockKey, token, 'PX', ttlMs, 'NX')) === 'OK'
}

const RELEASE_IF_OWNED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

/** Deletes the lock only if it is still ours (it may have expired and been taken by another replica). */
export async function releaseLock (redis: Redis, lockKey: string, token: string): Promise<void> {
  await redis.eval(RELEASE_IF_OWNED, 1, lockKey, token)
}

const SET_IF_OWNED = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`

/**
 * Writes the loaded value and releases the lock in one step, but only while we still hold the lock.
 *
 * Why: a writer invalidates a key by deleting the value AND the lock. A loader that read the old row
 * before the writer's commit then finds its lock gone and does not write the stale value back: the
 * classic cache-aside race (read old, writer updates and deletes, reader sets old) is closed. This is
 * the "lease" idea of Facebook's memcache, with the lock token as the lease.
 * @see https://www.usenix.org/system/files/conference/nsdi13/nsdi13-final170_update.pdf (§3.2.1 leases)
 * @returns true when the value was written
 */
export async function setIfLockHeld (redis: Redis, key: string, lockKey: string, token: string, value: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(SET_IF_OWNED, 2, key, lockKey, token, value, String(ttlMs))) === 1
}
