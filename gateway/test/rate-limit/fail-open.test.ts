import type { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createProxy, eventually, uniqueName, type TestProxy } from '@lab/testkit'
import { createRedisClient } from '@lab/platform'
import { ALGORITHMS } from '../../src/rate-limit/policy.js'
import { buildLimitedApp, counterValue, draftFields } from './limited-app.js'

/** A Redis proxy this test can cut or slow down, and the gateway's own kind of client behind it. */
async function redisBehindProxy (): Promise<{ proxy: TestProxy, redis: Redis }> {
  const proxy = await createProxy('redis')
  onTestFinished(async () => { await proxy.remove() })
  // No offline queue, 250 ms command timeout: a command fails instead of waiting.
  const redis = createRedisClient({ url: `redis://${proxy.address}` })
  redis.on('error', () => {})
  onTestFinished(() => { redis.disconnect() })
  await eventually(() => redis.status === 'ready', 10_000, 'the Redis connection')
  return { proxy, redis }
}

const WINDOW = 600_000
const RESET_MS = 1000

describe('when Redis is unreachable', () => {
  it('lets every request through (fail-open), counts the errors, and limits again once Redis is back', async () => {
    const { proxy, redis } = await redisBehindProxy()
    const { app, registry } = await buildLimitedApp({
      redis,
      keyPrefix: `${uniqueName('rl_failopen')}:`,
      defaultPolicy: { algorithm: 'fixed-window', max: 1, windowMs: WINDOW },
      routes: Object.fromEntries(ALGORITHMS.map((algorithm) => [`/${algorithm}`, { algorithm, max: 1, windowMs: WINDOW }])),
      redisBreaker: { volumeThreshold: 5, resetTimeoutMs: RESET_MS }
    })
    const breakerState = async () => await counterValue(registry, 'circuit_breaker_state', { breaker: 'redis' })

    await proxy.disable()
    await eventually(() => redis.status !== 'ready', 10_000, 'the client to notice the outage')
    for (const algorithm of ALGORITHMS) {
      for (let i = 0; i < 3; i++) {
        const res = await app.inject(`/${algorithm}`)
        expect(res.statusCode, algorithm).toBe(200)
        // No decision was taken: the headers show the untouched quota.
        expect(draftFields(res.headers).r).toBe(1)
      }
      // Every request let through counts, whether Redis failed or the breaker refused to try it.
      expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm })).toBe(3)
      expect(await counterValue(registry, 'gateway_rate_limit_decisions_total', { algorithm })).toBe(0)
    }
    // Five failures opened the breaker; the other four requests never reached Redis.
    expect(await breakerState()).toBe(2)
    expect(await counterValue(registry, 'circuit_breaker_rejected_total', { breaker: 'redis' })).toBe(4)

    await proxy.enable()
    await eventually(() => redis.status === 'ready', 10_000, 'the client to reconnect')
    await eventually(async () => await breakerState() === 1, RESET_MS * 5, 'the breaker to let a probe through (half-open)')
    for (const algorithm of ALGORITHMS) {
      const statuses = [(await app.inject(`/${algorithm}`)).statusCode, (await app.inject(`/${algorithm}`)).statusCode]
      expect(statuses, algorithm).toEqual([200, 429])
      expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm })).toBe(3)
    }
    expect(await breakerState()).toBe(0)
  })
})

describe('when Redis is slow', () => {
  it('stops waiting for Redis once the breaker opens, and limits again after Redis recovers and the reset timeout passes', async () => {
    const { proxy, redis } = await redisBehindProxy()
    const BREAKER_TIMEOUT_MS = 200
    const { app, registry } = await buildLimitedApp({
      redis,
      keyPrefix: `${uniqueName('rl_slow')}:`,
      defaultPolicy: { algorithm: 'sliding-window', max: 1, windowMs: WINDOW },
      routes: { '/limited': 'default' },
      redisBreaker: { timeoutMs: BREAKER_TIMEOUT_MS, volumeThreshold: 3, resetTimeoutMs: RESET_MS }
    })
    const breakerState = async () => await counterValue(registry, 'circuit_breaker_state', { breaker: 'redis' })
    const timedGet = async () => {
      const started = performance.now()
      const res = await app.inject('/limited')
      return { status: res.statusCode, remaining: draftFields(res.headers).r, ms: performance.now() - started }
    }

    expect((await timedGet()).status).toBe(200)
    expect((await timedGet()).status).toBe(429)

    await proxy.setLatency(1000)
    // Until the breaker opens, each request waits for the breaker's timeout, not for Redis' second. With
    // the two answered calls in the window, the third timeout makes it 3 failures of 5 (> 50 %).
    const beforeOpen = []
    while (await breakerState() !== 2 && beforeOpen.length < 10) beforeOpen.push(await timedGet())
    expect(beforeOpen).toHaveLength(3)
    for (const r of beforeOpen) {
      expect(r.status).toBe(200)
      expect(r.ms).toBeGreaterThanOrEqual(BREAKER_TIMEOUT_MS - 20)
      expect(r.ms).toBeLessThan(BREAKER_TIMEOUT_MS + 200)
    }

    const whileOpen = []
    for (let i = 0; i < 10; i++) whileOpen.push(await timedGet())
    expect(whileOpen.every((r) => r.status === 200 && r.remaining === 1)).toBe(true)
    expect(Math.max(...whileOpen.map((r) => r.ms))).toBeLessThan(100)
    expect(await counterValue(registry, 'circuit_breaker_rejected_total', { breaker: 'redis' })).toBe(10)
    expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm: 'sliding-window' })).toBe(13)

    await proxy.reset()
    await eventually(async () => await breakerState() === 1, RESET_MS * 5, 'the breaker to let a probe through (half-open)')
    // The probe reaches Redis, which still holds this client's window: limiting is back.
    expect((await timedGet()).status).toBe(429)
    expect(await breakerState()).toBe(0)
    expect(await counterValue(registry, 'circuit_breaker_transitions_total', { breaker: 'redis', to: 'closed' })).toBe(1)
  })
})
