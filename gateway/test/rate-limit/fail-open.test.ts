import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createProxy, uniqueName } from '@lab/testkit'
import { createRedisClient } from '@lab/platform'
import { ALGORITHMS } from '../../src/rate-limit/policy.js'
import { buildLimitedApp, counterValue } from './limited-app.js'

async function until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

describe('when Redis is unreachable', () => {
  it('lets every request through (fail-open), counts the errors, and limits again once Redis is back', async () => {
    const proxy = await createProxy('redis')
    onTestFinished(async () => { await proxy.remove() })
    // The gateway's own kind of client: no offline queue, so a command fails at once instead of waiting.
    const redis = createRedisClient({ url: `redis://${proxy.address}` })
    redis.on('error', () => {})
    onTestFinished(() => { redis.disconnect() })
    await until(() => redis.status === 'ready', 'the Redis connection')

    const window = 600_000
    const { app, registry } = await buildLimitedApp({
      redis,
      keyPrefix: `${uniqueName('rl_failopen')}:`,
      defaultPolicy: { algorithm: 'fixed-window', max: 1, windowMs: window },
      routes: Object.fromEntries(ALGORITHMS.map((algorithm) => [`/${algorithm}`, { algorithm, max: 1, windowMs: window }]))
    })

    await proxy.disable()
    await until(() => redis.status !== 'ready', 'the client to notice the outage')
    for (const algorithm of ALGORITHMS) {
      for (let i = 0; i < 3; i++) {
        const res = await app.inject(`/${algorithm}`)
        expect(res.statusCode, algorithm).toBe(200)
        // No decision was taken: the headers show the untouched quota.
        expect(res.headers['ratelimit-remaining']).toBe('1')
      }
      expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm })).toBe(3)
      expect(await counterValue(registry, 'gateway_rate_limit_decisions_total', { algorithm })).toBe(0)
    }

    await proxy.enable()
    await until(() => redis.status === 'ready', 'the client to reconnect')
    for (const algorithm of ALGORITHMS) {
      const statuses = [(await app.inject(`/${algorithm}`)).statusCode, (await app.inject(`/${algorithm}`)).statusCode]
      expect(statuses, algorithm).toEqual([200, 429])
      expect(await counterValue(registry, 'gateway_rate_limit_errors_total', { algorithm })).toBe(3)
    }
  })
})
