import fp from 'fastify-plugin'
import fastifyRateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import type { FastifyRequest, RouteOptions } from 'fastify'
import type { Redis } from 'ioredis'
import type { Registry } from 'prom-client'
import { createBreaker, type Breaker, type BreakerMetrics, type BreakerSettings } from '@lab/platform'
import { RateLimitedError } from '../errors.js'
import { createFixedWindowLimiter } from './fixed-window.js'
import type { Limiter } from './limiter.js'
import { draftRateLimitFields } from './fields.js'
import { createRateLimitMetrics } from './metrics.js'
import { assertValidPolicy, type RateLimitAlgorithm, type RateLimitPolicy } from './policy.js'
import { createSlidingWindowLimiter } from './sliding-window.js'
import { defaultPolicyStore } from './store.js'
import { createTokenBucketLimiter } from './token-bucket.js'

export interface RateLimitPluginOptions {
  /**
   * A client that fails fast while Redis is down (`createRedisClient` from @lab/platform: no offline
   * queue, short command timeout); with a queueing client, requests would wait instead of failing open.
   */
  redis: Redis
  /** The circuit breaker every limiter call goes through (named `redis` in `circuit_breaker_*`). */
  redisBreaker: BreakerSettings & { metrics: BreakerMetrics }
  /** Prefix of every key the limiters write, e.g. `gw:rl:`. */
  keyPrefix: string
  /** The policy of every route that does not set `config.rateLimitPolicy`. */
  defaultPolicy: RateLimitPolicy
  registry: Registry
  /** Who a budget belongs to; the client's IP (IPv6 grouped by /64) by default. */
  keyGenerator?: (request: FastifyRequest) => string
  /** The lab's pattern switch, read per request: false lets the route's requests through unlimited. */
  isLimiting?: (algorithm: RateLimitAlgorithm) => boolean
  /** The Redis breaker's variant, chosen where the gateway is wired (its pattern switch); by default the breaker itself. */
  chooseBreaker?: (breaker: Breaker) => Breaker
}

/**
 * Rate limiting for every route registered after this plugin, on Redis, by one of three algorithms:
 * the default policy, or the route's own `config: { rateLimitPolicy: { algorithm, max, windowMs } }`.
 * `config: { rateLimit: false }` exempts a route. Routes registered before it (health, metrics) are
 * not limited.
 *
 * Built on @fastify/rate-limit: an `onRoute` hook, added before the plugin's own, translates a route's
 * `rateLimitPolicy` into the plugin's per-route `config.rateLimit` ({ max, timeWindow } plus the
 * algorithm, which the store's `child()` reads). Allowed answers and 429s carry the current IETF draft's
 * `RateLimit-Policy` and `RateLimit` fields (fields.ts rewrites the plugin's older ones into them), a
 * 429 also `Retry-After`, and its body is the lab's error body (the plugin throws the built error; the
 * lab's error handler answers it, keeping the headers).
 * When Redis fails, the request is let through and counted (`skipOnError`).
 *
 * Every limiter call goes through a circuit breaker: a Redis that is down fails fast anyway (no offline
 * queue), but a *slow* one would make every request wait for the timeout before failing open. Once the
 * breaker opens, requests are let through at once without touching Redis; after the reset timeout one
 * request probes Redis, and limiting resumes when it answers.
 * @see https://github.com/fastify/fastify-rate-limit
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-11
 */
export const rateLimitPlugin = fp<RateLimitPluginOptions>(async (app, opts) => {
  assertValidPolicy(opts.defaultPolicy, 'rate-limit defaultPolicy')
  const redisBreaker = createBreaker({ name: 'redis', ...opts.redisBreaker, log: app.log })
  const breaker = opts.chooseBreaker?.(redisBreaker) ?? redisBreaker
  app.addHook('onClose', async () => { breaker.shutdown() })
  const Store = defaultPolicyStore({
    keyPrefix: opts.keyPrefix,
    defaultAlgorithm: opts.defaultPolicy.algorithm,
    limiters: {
      'fixed-window': behind(breaker, createFixedWindowLimiter(opts.redis)),
      'sliding-window': behind(breaker, createSlidingWindowLimiter(opts.redis)),
      'token-bucket': behind(breaker, createTokenBucketLimiter(opts.redis))
    },
    metrics: createRateLimitMetrics(opts.registry),
    log: app.log,
    outage: { failingOpen: false }
  })

  app.addHook('onRoute', applyRoutePolicy)
  app.addHook('onSend', draftRateLimitFields(opts.defaultPolicy))

  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.defaultPolicy.max,
    timeWindow: opts.defaultPolicy.windowMs,
    store: Store,
    skipOnError: true,
    enableDraftSpec: true,
    ...(opts.keyGenerator === undefined ? {} : { keyGenerator: opts.keyGenerator }),
    ...(opts.isLimiting === undefined ? {} : { allowList: limitingSwitchedOff(opts.isLimiting, opts.defaultPolicy.algorithm) }),
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.after)
  })
}, { name: 'gateway-rate-limit', dependencies: ['lab-errors'] })

/** An allow list in @fastify/rate-limit's terms: every request of a route whose algorithm is switched off. */
function limitingSwitchedOff (isLimiting: (algorithm: RateLimitAlgorithm) => boolean, defaultAlgorithm: RateLimitAlgorithm) {
  return (request: FastifyRequest): boolean => {
    const routeLimit = (request.routeOptions.config as { rateLimit?: { algorithm?: RateLimitAlgorithm } }).rateLimit
    return !isLimiting(routeLimit?.algorithm ?? defaultAlgorithm)
  }
}

/** The limiter, with each call through the breaker: refused at once (EOPENBREAKER) while it is open. */
function behind (breaker: Breaker, limiter: Limiter): Limiter {
  return async (key, max, windowMs) => await breaker.run(async () => await limiter(key, max, windowMs))
}

/** What a route's `config.rateLimit` becomes: the plugin's options, plus the algorithm for our store. */
type RouteRateLimit = RateLimitOptions & { algorithm: RateLimitAlgorithm, budget?: string }

function applyRoutePolicy (route: RouteOptions): void {
  const policy = route.config?.rateLimitPolicy
  if (policy === undefined) return
  const where = `route ${[route.method].flat().join(',')} ${route.url}`
  if (route.config?.rateLimit !== undefined) {
    throw new Error(`${where}: set config.rateLimitPolicy or config.rateLimit, not both`)
  }
  assertValidPolicy(policy, where)
  const rateLimit: RouteRateLimit = { algorithm: policy.algorithm, max: policy.max, timeWindow: policy.windowMs, budget: policy.budget }
  // A new object: several routes may share one config object.
  route.config = { ...route.config, rateLimit }
}
