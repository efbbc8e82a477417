import { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { testInfra, uniqueName } from '@lab/testkit'
import { createBaseApp } from '@lab/platform'
import { rateLimitPlugin } from '../../src/rate-limit/plugin.js'
import type { RateLimitPolicy } from '../../src/rate-limit/policy.js'
import { buildLimitedApp, draftFields, testRedisBreaker } from './limited-app.js'

const redis = new Redis(testInfra().redisUrl)
const filePrefix = uniqueName('rl_route')
afterAll(async () => {
  const keys = await redis.keys(`${filePrefix}*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
})

const LONG = 600_000
const newPrefix = () => `${uniqueName(filePrefix)}:`

describe('per-route rate-limit policies', () => {
  it('shares the default budget between routes without a policy, and gives a route with its own policy its own budget and algorithm', async () => {
    const keyPrefix = newPrefix()
    const { app } = await buildLimitedApp({
      redis,
      keyPrefix,
      defaultPolicy: { algorithm: 'fixed-window', max: 2, windowMs: LONG },
      routes: {
        '/a': 'default',
        '/b': 'default',
        '/bucket': { algorithm: 'token-bucket', max: 3, windowMs: LONG },
        '/sliding': { algorithm: 'sliding-window', max: 1, windowMs: LONG }
      }
    })
    const status = async (url: string) => (await app.inject(url)).statusCode

    expect([await status('/a'), await status('/b'), await status('/a'), await status('/b')]).toEqual([200, 200, 429, 429])
    const bucket = []
    for (let i = 0; i < 4; i++) bucket.push(await app.inject('/bucket'))
    expect(bucket.map((r) => r.statusCode)).toEqual([200, 200, 200, 429])
    expect(draftFields(bucket[0]?.headers ?? {})).toMatchObject({ policy: 'token-bucket', q: 3, r: 2 })
    expect(draftFields(bucket[3]?.headers ?? {})).toMatchObject({ policy: 'token-bucket', q: 3, r: 0 })
    expect([await status('/sliding'), await status('/sliding')]).toEqual([200, 429])

    // The algorithm and the budget's scope are in the key, so nothing is shared by accident.
    expect((await redis.keys(`${keyPrefix}*`)).sort()).toEqual([
      `${keyPrefix}fixed-window:all:127.0.0.1`,
      `${keyPrefix}sliding-window:GET /sliding:127.0.0.1`,
      `${keyPrefix}token-bucket:GET /bucket:127.0.0.1`
    ])
  })

  it('counts HEAD against the GET budget of the same route', async () => {
    const { app } = await buildLimitedApp({
      redis,
      keyPrefix: newPrefix(),
      defaultPolicy: { algorithm: 'fixed-window', max: 100, windowMs: LONG },
      routes: { '/thing': { algorithm: 'token-bucket', max: 2, windowMs: LONG } }
    })
    const statuses = [
      (await app.inject({ method: 'GET', url: '/thing' })).statusCode,
      (await app.inject({ method: 'HEAD', url: '/thing' })).statusCode,
      (await app.inject({ method: 'GET', url: '/thing' })).statusCode
    ]
    expect(statuses).toEqual([200, 200, 429])
  })

  it('never limits a route with rateLimit: false, nor the routes registered before the plugin', async () => {
    const { app } = await buildLimitedApp({
      redis,
      keyPrefix: newPrefix(),
      defaultPolicy: { algorithm: 'sliding-window', max: 1, windowMs: LONG },
      routes: { '/free': false }
    })
    for (const url of ['/free', '/health/live']) {
      for (let i = 0; i < 5; i++) {
        const res = await app.inject(url)
        expect(res.statusCode).toBe(200)
        expect(res.headers['ratelimit-policy']).toBeUndefined()
        expect(res.headers.ratelimit).toBeUndefined()
      }
    }
  })

  it('refuses, at registration, a route with an invalid policy or with both rateLimitPolicy and rateLimit', async () => {
    const app = await createBaseApp({ logger: { service: 'rate-limit-test', level: 'silent', pretty: false }, registry: new Registry(), defaultMetrics: false })
    onTestFinished(async () => { await app.close() })
    const registry = new Registry()
    await app.register(rateLimitPlugin, { redis, keyPrefix: newPrefix(), registry, defaultPolicy: { algorithm: 'token-bucket', max: 5, windowMs: 1000 }, redisBreaker: testRedisBreaker(registry) })
    const handler = async () => ({ ok: true })
    const invalid = { algorithm: 'token-bucket', max: 0, windowMs: 1000 } satisfies RateLimitPolicy
    expect(() => app.get('/zero', { config: { rateLimitPolicy: invalid } }, handler)).toThrow(/route GET \/zero: rate-limit max must be an integer >= 1/)
    const both = { rateLimitPolicy: { algorithm: 'fixed-window', max: 5, windowMs: 1000 } as const, rateLimit: { max: 3 } }
    expect(() => app.get('/both', { config: both }, handler)).toThrow(/set config.rateLimitPolicy or config.rateLimit, not both/)
  })

  it('refuses an invalid default policy at boot', async () => {
    const app = await createBaseApp({ logger: { service: 'rate-limit-test', level: 'silent', pretty: false }, registry: new Registry(), defaultMetrics: false })
    onTestFinished(async () => { await app.close() })
    await expect(app.register(rateLimitPlugin, {
      redis,
      keyPrefix: newPrefix(),
      registry: new Registry(),
      defaultPolicy: { algorithm: 'sliding-window', max: 10, windowMs: 0 },
      redisBreaker: testRedisBreaker(new Registry())
    })).rejects.toThrow(/rate-limit defaultPolicy: rate-limit windowMs must be an integer >= 1/)
  })
})
