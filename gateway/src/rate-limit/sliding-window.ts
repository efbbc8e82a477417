import type { Redis } from 'ioredis'
import type { RateLimitDecision } from './policy.js'
import { defineLimiterScript, type Limiter, type TimedDecision } from './limiter.js'

/**
 * Sliding window, as the two-window weighted counter (Cloudflare's "sliding window counter"): keep the
 * count of the current fixed window and of the one before, and estimate the requests of the last
 * `windowMs` as `previous × (share of the previous window still inside the sliding window) + current`.
 *
 * Trade-off against the sliding-window LOG (a sorted set of every accepted request's timestamp): the log
 * is exact but stores up to `max` entries per client and costs O(log n) per request; the counter stores
 * three numbers per client whatever `max` is, at the price of assuming the previous window's requests were
 * spread evenly (a burst at the end of the previous window is under-weighted). For a gateway limiting
 * every client, constant memory wins; the error is bounded by one window's count and only at boundaries.
 * Unlike a fixed window it does not let 2 × max through around a window boundary.
 * @see https://blog.cloudflare.com/counting-things-a-lot-of-different-things/
 *
 * Only accepted requests are counted, so a client that keeps hammering past the limit is not locked
 * out forever: its rate is limited, not its existence.
 */
export interface SlidingWindowState {
  /** Index of the current fixed window: floor(time / windowMs). */
  window: number
  current: number
  previous: number
}

/**
 * One decision. `ttl` is, when allowed, the time until the client's whole quota is back (both windows
 * holding its requests have slid out); when rejected, the time until the next request would be allowed.
 * The estimate is compared multiplied by `windowMs`, so everything stays in integers: exact in
 * JavaScript's and Lua's doubles alike (the policy keeps `max × windowMs` far below 2^53).
 * Mirrored line for line by {@link slidingWindowLua}.
 */
export function decideSlidingWindow (saved: SlidingWindowState | undefined, nowMs: number, max: number, windowMs: number): { decision: RateLimitDecision, state: SlidingWindowState } {
  let window = Math.floor(nowMs / windowMs)
  let previous = 0
  let current = 0
  if (saved !== undefined) {
    if (saved.window >= window) {
      // Same window (or the server clock stepped back: keep counting in the saved window).
      window = saved.window
      current = saved.current
      previous = saved.previous
    } else if (saved.window === window - 1) {
      previous = saved.current
    }
  }
  const elapsed = Math.max(0, nowMs - window * windowMs)
  // previous × (windowMs - elapsed) / windowMs + current, times windowMs.
  const weighted = previous * (windowMs - elapsed) + current * windowMs
  let decision: RateLimitDecision
  if (weighted + windowMs <= max * windowMs) {
    current = current + 1
    decision = { allowed: true, current: Math.ceil((weighted + windowMs) / windowMs), ttl: 2 * windowMs - elapsed }
  } else if (current + 1 <= max) {
    // Room in this window: wait until the previous window's share has decayed enough.
    const wait = Math.ceil((weighted + windowMs - max * windowMs) / previous)
    decision = { allowed: false, current: max + 1, ttl: wait }
  } else {
    // This window is full: wait into the next one, where this window's count is the decaying share.
    const wait = (windowMs - elapsed) + Math.ceil((current + 1 - max) * windowMs / current)
    decision = { allowed: false, current: max + 1, ttl: wait }
  }
  return { decision, state: { window, current, previous } }
}

/**
 * The same arithmetic as one atomic script, timed by the Redis server's clock so every gateway replica
 * agrees. KEYS[1] is a hash {window, current, previous}; it expires once neither window counts any more.
 * Returns {allowed (1|0), current, ttl, now}.
 */
export const slidingWindowLua = `
local key = KEYS[1]
local max = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local window = math.floor(now / windowMs)
local previous = 0
local current = 0
local saved = redis.call('HMGET', key, 'window', 'current', 'previous')
if saved[1] then
  local savedWindow = tonumber(saved[1])
  if savedWindow >= window then
    window = savedWindow
    current = tonumber(saved[2])
    previous = tonumber(saved[3])
  elseif savedWindow == window - 1 then
    previous = tonumber(saved[2])
  end
end
local elapsed = math.max(0, now - window * windowMs)
local weighted = previous * (windowMs - elapsed) + current * windowMs
local allowed, reported, ttl
if weighted + windowMs <= max * windowMs then
  current = current + 1
  allowed, reported, ttl = 1, math.ceil((weighted + windowMs) / windowMs), 2 * windowMs - elapsed
elseif current + 1 <= max then
  allowed, reported, ttl = 0, max + 1, math.ceil((weighted + windowMs - max * windowMs) / previous)
else
  allowed, reported, ttl = 0, max + 1, (windowMs - elapsed) + math.ceil((current + 1 - max) * windowMs / current)
end
redis.call('HSET', key, 'window', string.format('%d', window), 'current', current, 'previous', previous)
redis.call('PEXPIRE', key, 2 * windowMs - elapsed)
return { allowed, reported, ttl, now }
`

export function createSlidingWindowLimiter (redis: Redis): Limiter<TimedDecision> {
  return defineLimiterScript(redis, 'gatewaySlidingWindow', slidingWindowLua)
}
