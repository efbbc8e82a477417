import type { Redis } from 'ioredis'
import type { RateLimitDecision } from './policy.js'

/** What the limiter saw and decided; `nowMs` is the Redis server time the decision was taken at. */
export interface TimedDecision extends RateLimitDecision {
  nowMs: number
}

/** One rate-limit decision for one Redis key: counts the request when it is allowed. */
export type Limiter<D extends RateLimitDecision = RateLimitDecision> = (key: string, max: number, windowMs: number) => Promise<D>

type ScriptCall = (key: string, max: number, windowMs: number) => Promise<[number, number, number, number]>

/**
 * Registers a one-key Lua script on the client (ioredis sends it with EVALSHA and falls back to EVAL
 * once after a SCRIPT FLUSH or a restart) and wraps it as a {@link Limiter}. The script runs atomically
 * in Redis, so concurrent requests from any number of gateway replicas cannot interleave
 * inside one decision. Scripts answer `{allowed, current, ttl, now}`.
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
 */
export function defineLimiterScript (redis: Redis, name: string, lua: string): Limiter<TimedDecision> {
  const commands = redis as unknown as Record<string, ScriptCall | undefined>
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys: 1, lua })
  const run = commands[name]
  if (run === undefined) throw new Error(`ioredis did not define the ${name} command`)
  return async (key, max, windowMs) => {
    const [allowed, current, ttl, nowMs] = await run.call(redis, key, max, windowMs)
    return { allowed: allowed === 1, current, ttl, nowMs }
  }
}
