import { Type } from '@sinclair/typebox'
import type { FastifyContextConfig } from 'fastify'
import type { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { onTestFinished } from 'vitest'
import { createBaseApp, createBreakerMetrics, errorResponses, type BreakerSettings, type LabApp } from '@lab/platform'
import { rateLimitPlugin } from '../../src/rate-limit/plugin.js'
import type { RateLimitPolicy } from '../../src/rate-limit/policy.js'

export interface LimitedAppOptions {
  redis: Redis
  keyPrefix: string
  defaultPolicy: RateLimitPolicy
  /** Dummy routes answering 200 `{ ok: true }`: path → its own policy, `false` (not limited) or `'default'`. */
  routes: Record<string, RateLimitPolicy | false | 'default'>
  /** Overrides of {@link testRedisBreaker}'s settings. */
  redisBreaker?: Partial<BreakerSettings>
}

/** The Redis breaker's options for a test app: quick to open (5 failures) and to probe again (1 s). */
export function testRedisBreaker (registry: Registry, settings: Partial<BreakerSettings> = {}) {
  return { timeoutMs: 200, errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1000, ...settings, metrics: createBreakerMetrics(registry) }
}

/**
 * A small lab app (the same base as the gateway: request ids, metrics, the lab's error handler) with
 * the rate-limit plugin and dummy routes; closed when the test ends.
 */
export async function buildLimitedApp (opts: LimitedAppOptions): Promise<{ app: LabApp, registry: Registry }> {
  const registry = new Registry()
  const app = await createBaseApp({ logger: { service: 'rate-limit-test', level: 'silent', pretty: false }, registry, defaultMetrics: false })
  onTestFinished(async () => { await app.close() })
  await app.register(rateLimitPlugin, {
    redis: opts.redis,
    keyPrefix: opts.keyPrefix,
    defaultPolicy: opts.defaultPolicy,
    registry,
    redisBreaker: testRedisBreaker(registry, opts.redisBreaker)
  })
  const schema = { response: { 200: Type.Object({ ok: Type.Boolean() }), ...errorResponses(429) } }
  for (const [url, policy] of Object.entries(opts.routes)) {
    const config: FastifyContextConfig = policy === 'default' ? {} : policy === false ? { rateLimit: false } : { rateLimitPolicy: policy }
    app.get(url, { schema, config }, async () => ({ ok: true }))
  }
  await app.ready()
  return { app, registry }
}

/** Starts the app on a free port and gives its base URL, for real concurrent HTTP requests. */
export { listenOnFreePort as listen, metricValue as counterValue } from '@lab/testkit'

/** An answer's draft rate-limit fields, read back: `"name";r=..;t=..` and `"name";q=..;w=..`. */
export interface DraftFields { policy?: string, r?: number, t?: number, q?: number, w?: number }

/**
 * Reads one-item `RateLimit` and `RateLimit-Policy` fields as the lab writes them (a policy name
 * without escapes, integer parameters); `{}` when the answer has neither.
 */
export function draftFields (headers: Record<string, unknown> | Headers): DraftFields {
  const get = (name: string): unknown => headers instanceof Headers ? headers.get(name) ?? undefined : headers[name]
  const fields: DraftFields = {}
  for (const name of ['ratelimit', 'ratelimit-policy']) {
    const value = get(name)
    if (typeof value !== 'string') continue
    const [item = '', ...params] = value.split(';')
    fields.policy = JSON.parse(item) as string
    for (const param of params) {
      const [key, number] = param.split('=') as [keyof DraftFields, string]
      Object.assign(fields, { [key]: Number(number) })
    }
  }
  return fields
}
