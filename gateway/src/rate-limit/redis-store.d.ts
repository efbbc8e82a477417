/**
 * Types for @fastify/rate-limit's own Redis store, which the package ships (store/RedisStore.js, no
 * `exports` map) but does not type. Only what fixed-window.ts uses.
 */
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis'

  interface RedisStore {
    incr (key: string, cb: (err: Error | null, res: { current: number, ttl: number } | null) => void, timeWindow: number, max: number): void
  }

  const RedisStore: new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string) => RedisStore
  export default RedisStore
}
