import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { testInfra, uniqueName } from '@lab/testkit'
import { ALGORITHMS, type RateLimitAlgorithm } from '../../src/rate-limit/policy.js'
import { buildLimitedApp, counterValue, draftFields, listen } from './limited-app.js'

// Two connections, as two gateway replicas would have.
const redisA = new Redis(testInfra().redisUrl)
const redisB = new Redis(testInfra().redisUrl)
const filePrefix = uniqueName('rl_alg')
afterAll(async () => {
  const keys = await redisA.keys(`${filePrefix}*`)
  if (keys.length > 0) await redisA.del(...keys)
  redisA.disconnect()
  redisB.disconnect()
})

/** A window long enough that nothing resets or refills during a test (a token bucket refills one token per 30 s at max 20). */
const LONG = 600_000

async function limitedApps (algorithm: RateLimitAlgorithm, max: number, windowMs: number) {
  const keyPrefix = `${uniqueName(filePrefix)}:`
  const defaultPolicy = { algorithm, max, windowMs }
  const a = await buildLimitedApp({ redis: redisA, keyPrefix, defaultPolicy, routes: { '/thing': 'default' } })
  const b = await buildLimitedApp({ redis: redisB, keyPrefix, defaultPolicy, routes: { '/thing': 'default' } })
  return [a, b] as const
}

describe.each(ALGORITHMS)('%s', (algorithm) => {
  it('allows exactly max requests, then answers 429 with the rate-limit headers and the lab error body', async () => {
    const [{ app, registry }] = await limitedApps(algorithm, 5, LONG)
    const responses = []
    for (let i = 0; i < 7; i++) responses.push(await app.inject({ method: 'GET', url: '/thing' }))

    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 429, 429])
    const fields = responses.map((r) => draftFields(r.headers))
    for (const f of fields) {
      expect(f).toMatchObject({ policy: algorithm, q: 5, w: LONG / 1000 })
      expect(f.t).toBeGreaterThan(0)
    }
    expect(fields.map((f) => f.r)).toEqual([4, 3, 2, 1, 0, 0, 0])
    expect(responses[0]?.headers['ratelimit-remaining']).toBeUndefined()
    expect(responses[0]?.headers['retry-after']).toBeUndefined()

    const rejected = responses[5]
    expect(Number(rejected?.headers['retry-after'])).toBeGreaterThan(0)
    expect(fields[5]?.t).toBe(Number(rejected?.headers['retry-after']))
    expect(rejected?.headers['content-type']).toMatch(/^application\/json/)
    expect(rejected?.json()).toEqual({
      statusCode: 429,
      code: 'GATEWAY_RATE_LIMITED',
      error: 'Too Many Requests',
      message: expect.stringMatching(/^rate limit exceeded, retry in \d+ (second|minute)s?$/),
      requestId: rejected?.headers['x-request-id']
    })

    expect(await counterValue(registry, 'gateway_rate_limit_decisions_total', { algorithm, decision: 'allowed' })).toBe(5)
    expect(await counterValue(registry, 'gateway_rate_limit_decisions_total', { algorithm, decision: 'rejected' })).toBe(2)
    expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm })).toBe(0)
  })

  it('holds the limit across two gateway instances sharing Redis', async () => {
    const [a, b] = await limitedApps(algorithm, 6, LONG)
    const statuses = []
    for (let i = 0; i < 12; i++) {
      const { app } = i % 2 === 0 ? a : b
      statuses.push((await app.inject({ method: 'GET', url: '/thing' })).statusCode)
    }
    expect(statuses).toEqual([...Array(6).fill(200), ...Array(6).fill(429)])
  })

  it('allows exactly max of 100 concurrent requests spread over two instances', async () => {
    const [a, b] = await limitedApps(algorithm, 20, LONG)
    const urls = [await listen(a.app), await listen(b.app)]
    const statuses = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const res = await fetch(`${urls[i % 2] ?? ''}/thing`)
      await res.arrayBuffer()
      return res.status
    }))
    expect(statuses.filter((s) => s === 200)).toHaveLength(20)
    expect(statuses.filter((s) => s === 429)).toHaveLength(80)
  })

  it('allows requests again once Retry-After has passed', async () => {
    const [{ app }] = await limitedApps(algorithm, 2, 1000)
    const first = [await app.inject('/thing'), await app.inject('/thing'), await app.inject('/thing')]
    expect(first.map((r) => r.statusCode)).toEqual([200, 200, 429])
    const retryAfter = Number(first[2]?.headers['retry-after'])
    // At most one window for the fixed window and the bucket (a token is 500 ms), two for the sliding window.
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 2 : 1)
    await sleep(retryAfter * 1000)
    expect((await app.inject('/thing')).statusCode).toBe(200)
  })
})
