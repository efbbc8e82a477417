/** The algorithms the gateway can limit with; each keeps its own counters in Redis. */
export const ALGORITHMS = ['fixed-window', 'sliding-window', 'token-bucket'] as const
export type RateLimitAlgorithm = typeof ALGORITHMS[number]

/**
 * How many requests one client may make: `max` per `windowMs`. For the token bucket, `max` is the
 * bucket's capacity (the largest burst) and it refills at `max` tokens per `windowMs`.
 */
export interface RateLimitPolicy {
  algorithm: RateLimitAlgorithm
  max: number
  windowMs: number
  /**
   * Routes that name the same budget share one counter per client (the admin API: one budget for all of
   * /admin/…); without one, a route with its own policy has its own counter.
   */
  budget?: string
}

/**
 * What every limiter answers, in the shape @fastify/rate-limit's stores use: the request is rejected
 * when `current > max`; `max - current` becomes `r` of the `RateLimit` field; `ttl` (ms) becomes its
 * `t`, and on a rejection also `Retry-After` (both rounded up to whole seconds by the plugin).
 */
export interface RateLimitDecision {
  allowed: boolean
  current: number
  ttl: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This route's own limit, with its own budget per client (`config.rateLimit: false` turns limiting
     * off instead). Routes without one share the gateway's default policy and budget.
     */
    rateLimitPolicy?: RateLimitPolicy
  }
}

/** Fails at boot (or route registration) on a policy that could not limit anything sensibly. */
export function assertValidPolicy (policy: RateLimitPolicy, where: string): void {
  if (!(ALGORITHMS as readonly string[]).includes(policy.algorithm)) {
    throw new Error(`${where}: unknown rate-limit algorithm ${JSON.stringify(policy.algorithm)} (one of ${ALGORITHMS.join(', ')})`)
  }
  if (!Number.isSafeInteger(policy.max) || policy.max < 1) {
    throw new Error(`${where}: rate-limit max must be an integer >= 1, got ${policy.max}`)
  }
  if (!Number.isSafeInteger(policy.windowMs) || policy.windowMs < 1) {
    throw new Error(`${where}: rate-limit windowMs must be an integer >= 1, got ${policy.windowMs}`)
  }
  // The limiters compute in units of max × windowMs; keep them exact integers in a double.
  if (policy.max * policy.windowMs > 2 ** 48) {
    throw new Error(`${where}: rate-limit max × windowMs must stay below 2^48, got ${policy.max} × ${policy.windowMs}`)
  }
}
