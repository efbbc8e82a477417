import type { FastifyBaseLogger } from 'fastify'
import type { Limiter } from './limiter.js'
import type { RateLimitMetrics } from './metrics.js'
import type { RateLimitAlgorithm } from './policy.js'

type IncrCallback = (err: Error | null, res?: { current: number, ttl: number }) => void

/** What @fastify/rate-limit passes to `child()`: the global options merged with a route's `config.rateLimit`. */
interface MergedRouteOptions {
  algorithm?: RateLimitAlgorithm
  /** The route policy's shared budget, when it names one. */
  budget?: string
  routeInfo?: { method?: string | string[], url?: string }
}

export interface StoreContext {
  keyPrefix: string
  defaultAlgorithm: RateLimitAlgorithm
  limiters: Record<RateLimitAlgorithm, Limiter>
  metrics: RateLimitMetrics
  log: FastifyBaseLogger
  /** Whether the last call failed: the switch to fail-open is logged once, not on every request. */
  outage: { failingOpen: boolean }
}

/**
 * A store in @fastify/rate-limit's contract (`incr(key, cb, timeWindow, max)` → `{ current, ttl }`, and
 * `child(routeOptions)` for a route with its own `config.rateLimit`) that hands each decision to the
 * limiter of one algorithm, and counts it.
 *
 * Redis key: `<keyPrefix><algorithm>:<scope>:<client>`. The scope is `all` for routes on the default
 * policy (one shared budget) and `<methods> <url pattern>` for a route with its own policy (its own
 * budget), e.g. `gw:rl:token-bucket:GET,POST /orders/*:203.0.113.9`, so neither policies nor
 * algorithms ever share a counter; routes whose policy names a `budget` share the scope `budget <name>`
 * (`gw:rl:sliding-window:budget admin:127.0.0.1`). The url is the route's pattern, never the raw path,
 * so the number of keys per client stays bounded by the routes.
 * @see node_modules/@fastify/rate-limit/index.js (applyRateLimit, onRoute)
 */
export class PolicyStore {
  constructor (private readonly ctx: StoreContext, private readonly algorithm: RateLimitAlgorithm, private readonly scope: string) {}

  incr (key: string, cb: IncrCallback, timeWindow: number, max: number): void {
    const { ctx, algorithm } = this
    ctx.limiters[algorithm](`${ctx.keyPrefix}${algorithm}:${this.scope}:${key}`, max, timeWindow).then((decision) => {
      ctx.metrics.decisions.inc({ algorithm, decision: decision.allowed ? 'allowed' : 'rejected' })
      if (ctx.outage.failingOpen) {
        ctx.outage.failingOpen = false
        ctx.log.info({ algorithm }, 'rate limiting back: Redis answers again')
      }
      cb(null, { current: decision.current, ttl: decision.ttl })
    }, (err: unknown) => {
      ctx.metrics.errors.inc({ algorithm })
      if (!ctx.outage.failingOpen) {
        ctx.outage.failingOpen = true
        ctx.log.warn({ algorithm, error: err instanceof Error ? err.message : String(err) }, 'rate limiting failing open: Redis did not answer')
      }
      cb(err instanceof Error ? err : new Error(String(err)))
    })
  }

  // Typed `object`: the plugin's typings call it RouteOptions, but it passes the merged options.
  child (routeOptions: object): PolicyStore {
    const { algorithm, budget, routeInfo } = routeOptions as MergedRouteOptions
    const { method, url } = routeInfo ?? {}
    // createRateLimit()/rateLimit() decorators call child() without a route.
    const ownScope = method !== undefined && url !== undefined ? `${budgetMethods(method)} ${url}` : 'custom'
    const scope = budget === undefined ? ownScope : `budget ${budget}`
    return new PolicyStore(this.ctx, algorithm ?? this.ctx.defaultAlgorithm, scope)
  }
}

/**
 * HEAD is GET without the body (RFC 9110 §9.3.2), and Fastify adds a HEAD route for every GET route:
 * both draw on the GET budget, so HEAD is not a second allowance.
 */
function budgetMethods (method: string | string[]): string {
  return [...new Set([method].flat().map((m) => m === 'HEAD' ? 'GET' : m))].join(',')
}

/** The class @fastify/rate-limit instantiates (`new Store(globalOptions)`): the default policy's store. */
export function defaultPolicyStore (ctx: StoreContext): new () => PolicyStore {
  return class DefaultPolicyStore extends PolicyStore {
    constructor () {
      super(ctx, ctx.defaultAlgorithm, 'all')
    }
  }
}
