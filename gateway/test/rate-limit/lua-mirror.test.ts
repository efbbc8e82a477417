import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { testInfra, uniqueName } from '@lab/testkit'
import { createSlidingWindowLimiter, decideSlidingWindow, type SlidingWindowState } from '../../src/rate-limit/sliding-window.js'
import { createTokenBucketLimiter, decideTokenBucket, type TokenBucketState } from '../../src/rate-limit/token-bucket.js'

const redis = new Redis(testInfra().redisUrl)
const prefix = `${uniqueName('rl_mirror')}:`
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
})

/**
 * The Lua scripts are the pure functions rewritten; these tests hold them to it. Each step reads the
 * saved state, lets the script decide at the Redis server's time (it reports the time it used), and
 * checks that the pure function, given the same state and time, decides the same and saves the same.
 * Small random pauses walk the state across windows and refills.
 */
describe('the Lua scripts decide exactly as the pure functions', () => {
  it('sliding window', async () => {
    const limiter = createSlidingWindowLimiter(redis)
    const key = `${prefix}sliding`
    const max = 4
    const windowMs = 120
    const outcomes = new Set<boolean>()
    for (let step = 0; step < 120; step++) {
      const saved = await redis.hgetall(key)
      const before: SlidingWindowState | undefined = saved.window === undefined
        ? undefined
        : { window: Number(saved.window), current: Number(saved.current), previous: Number(saved.previous) }
      const { nowMs, ...decision } = await limiter(key, max, windowMs)
      const expected = decideSlidingWindow(before, nowMs, max, windowMs)
      expect(decision, `step ${step}`).toEqual(expected.decision)
      outcomes.add(decision.allowed)
      const after = await redis.hgetall(key)
      expect({ window: Number(after.window), current: Number(after.current), previous: Number(after.previous) }).toEqual(expected.state)
      await sleep(Math.floor(Math.random() * 25))
    }
    expect([...outcomes].sort()).toEqual([false, true])
  })

  it('token bucket', async () => {
    const limiter = createTokenBucketLimiter(redis)
    const key = `${prefix}bucket`
    const capacity = 3
    const windowMs = 210
    const outcomes = new Set<boolean>()
    for (let step = 0; step < 120; step++) {
      const saved = await redis.hgetall(key)
      const before: TokenBucketState | undefined = saved.level === undefined
        ? undefined
        : { level: Number(saved.level), updatedAt: Number(saved.updatedAt) }
      const { nowMs, ...decision } = await limiter(key, capacity, windowMs)
      const expected = decideTokenBucket(before, nowMs, capacity, windowMs)
      expect(decision, `step ${step}`).toEqual(expected.decision)
      outcomes.add(decision.allowed)
      const after = await redis.hgetall(key)
      expect({ level: Number(after.level), updatedAt: Number(after.updatedAt) }).toEqual(expected.state)
      await sleep(Math.floor(Math.random() * 40))
    }
    expect([...outcomes].sort()).toEqual([false, true])
  })

  it('lets the keys expire once they no longer matter', async () => {
    const sliding = `${prefix}ttl-sliding`
    const bucket = `${prefix}ttl-bucket`
    await createSlidingWindowLimiter(redis)(sliding, 10, 60_000)
    await createTokenBucketLimiter(redis)(bucket, 10, 60_000)
    // Sliding: until the end of the next window; bucket: until it is full again (one token = 6 s).
    expect(await redis.pttl(sliding)).toBeGreaterThan(60_000)
    expect(await redis.pttl(sliding)).toBeLessThanOrEqual(120_000)
    expect(await redis.pttl(bucket)).toBeGreaterThan(5_000)
    expect(await redis.pttl(bucket)).toBeLessThanOrEqual(6_000)
  })
})
