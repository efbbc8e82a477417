import type { Redis } from 'ioredis'
import RedisStore from '@fastify/rate-limit/store/RedisStore.js'
import type { Limiter } from './limiter.js'

/**
 * Fixed window: the plugin's own Redis store, unchanged (its Lua script: INCR the client's key; the
 * first request of a window sets PEXPIRE windowMs; rejected when the count exceeds max; `ttl` is the
 * key's PTTL, the time until the window ends). Windows start at a client's first request and expire on
 * the Redis server's clock, so replicas agree. Every request is counted, rejected ones too, but a
 * rejection does not extend the window. Its known weakness, which the other two algorithms fix: up to
 * 2 × max requests pass around a window boundary (max at the end of one window, max at the start of
 * the next).
 * @see node_modules/@fastify/rate-limit/store/RedisStore.js
 */
export function createFixedWindowLimiter (redis: Redis): Limiter {
  // The key given to incr() is already complete (prefix, algorithm, scope, client), so no namespace.
  const store = new RedisStore(false, false, redis, '')
  return async (key, max, windowMs) => await new Promise((resolve, reject) => {
    store.incr(key, (err, res) => {
      if (err !== null || res === null) {
        reject(err ?? new Error('rate-limit store answered nothing'))
        return
      }
      resolve({ allowed: res.current <= max, current: res.current, ttl: res.ttl })
    }, windowMs, max)
  })
}
