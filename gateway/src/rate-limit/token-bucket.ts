import type { Redis } from 'ioredis'
import type { RateLimitDecision } from './policy.js'
import { defineLimiterScript, type Limiter, type TimedDecision } from './limiter.js'

/**
 * Token bucket: a client's bucket holds at most `capacity` tokens and refills continuously at
 * `capacity` tokens per `windowMs`; each request takes one token or is rejected. Bursts up to the
 * capacity pass at once, the long-run rate is bounded by the refill. The refill is computed lazily from
 * the time since the last decision, so nothing runs between requests.
 * @see https://en.wikipedia.org/wiki/Token_bucket
 */
export interface TokenBucketState {
  /**
   * The bucket's level in 1/windowMs of a token: a request costs `windowMs` units and each
   * millisecond adds `capacity` units, so refilling `capacity` tokens per `windowMs` is exact integer
   * arithmetic (exact in JavaScript's and Lua's doubles alike; the policy keeps `capacity × windowMs`
   * far below 2^53) and JavaScript and Lua cannot drift apart by rounding.
   */
  level: number
  updatedAt: number
}

/**
 * One decision. A new client starts with a full bucket. `current` is `capacity - whole tokens left`,
 * so `RateLimit`'s `r` shows the whole tokens left; `ttl` is, when allowed, the time until the
 * bucket is full again, and when rejected, the time until one whole token has dripped in.
 * Mirrored line for line by {@link tokenBucketLua}.
 */
export function decideTokenBucket (saved: TokenBucketState | undefined, nowMs: number, capacity: number, windowMs: number): { decision: RateLimitDecision, state: TokenBucketState } {
  const full = capacity * windowMs
  let level = full
  if (saved !== undefined) {
    // A clock that steps back refills nothing (rather than draining the bucket).
    const elapsed = Math.max(0, nowMs - saved.updatedAt)
    level = Math.min(full, saved.level + elapsed * capacity)
  }
  let decision: RateLimitDecision
  if (level >= windowMs) {
    level = level - windowMs
    decision = { allowed: true, current: capacity - Math.floor(level / windowMs), ttl: Math.ceil((full - level) / capacity) }
  } else {
    decision = { allowed: false, current: capacity + 1, ttl: Math.ceil((windowMs - level) / capacity) }
  }
  return { decision, state: { level, updatedAt: nowMs } }
}

/**
 * The same arithmetic as one atomic script on the Redis server's clock. KEYS[1] is a hash
 * {level, updatedAt}; it expires when the bucket would be full anyway (a missing bucket is a full one).
 * Returns {allowed (1|0), current, ttl, now}.
 */
export const tokenBucketLua = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local full = capacity * windowMs
local level = full
local saved = redis.call('HMGET', key, 'level', 'updatedAt')
if saved[1] then
  local elapsed = math.max(0, now - tonumber(saved[2]))
  level = math.min(full, tonumber(saved[1]) + elapsed * capacity)
end
local allowed, reported, ttl
if level >= windowMs then
  level = level - windowMs
  allowed, reported, ttl = 1, capacity - math.floor(level / windowMs), math.ceil((full - level) / capacity)
else
  allowed, reported, ttl = 0, capacity + 1, math.ceil((windowMs - level) / capacity)
end
redis.call('HSET', key, 'level', string.format('%d', level), 'updatedAt', string.format('%d', now))
redis.call('PEXPIRE', key, math.max(1, math.ceil((full - level) / capacity)))
return { allowed, reported, ttl, now }
`

export function createTokenBucketLimiter (redis: Redis): Limiter<TimedDecision> {
  return defineLimiterScript(redis, 'gatewayTokenBucket', tokenBucketLua)
}
