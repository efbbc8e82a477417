import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase } from '@lab/platform'

const UpstreamList = () => Type.String({ pattern: '^https?://[^,]+(,https?://[^,]+)*$' })

export const GatewayConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'gateway', port: 8080 }),
  /**
   * The metrics recorded on every request: the RED hook (http_server_*) and the gateway's per-request
   * upstream families. Off only to measure what they cost on the hit path (./lab bench observability);
   * off also drops the access-log line, which @lab/platform skips for the routes it leaves out of RED.
   */
  METRICS_ENABLED: Type.Boolean({ default: true }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  /** Comma-separated base URLs of the catalog replicas. */
  CATALOG_UPSTREAMS: UpstreamList(),
  /** The checkout services; a route is served only when its upstream is configured. */
  INVENTORY_UPSTREAMS: Type.Optional(UpstreamList()),
  ORDERS_UPSTREAMS: Type.Optional(UpstreamList()),
  PAYMENTS_UPSTREAMS: Type.Optional(UpstreamList()),
  NOTIFICATIONS_UPSTREAMS: Type.Optional(UpstreamList()),
  /** Placing orders: its own token bucket per client, so a flood of orders cannot starve browsing. */
  ORDERS_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 50 }),
  ORDERS_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, default: 1000 }),
  LOAD_BALANCER: Type.Union([Type.Literal('least-outstanding'), Type.Literal('round-robin')], { default: 'least-outstanding' }),
  /** A request to an upstream that takes longer than this fails (and counts against the breaker). */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 3000 }),
  BREAKER_ERROR_THRESHOLD_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** Fewest requests in the rolling window before the breaker may open. */
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** How long the breaker stays open before letting one probe request through (half-open). */
  BREAKER_RESET_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  HEALTH_CHECK_INTERVAL_MS: Type.Integer({ minimum: 50, default: 1000 }),
  HEALTH_CHECK_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 500 }),
  /** Consecutive failed checks that take a replica out of rotation. */
  HEALTH_UNHEALTHY_THRESHOLD: Type.Integer({ minimum: 1, default: 2 }),
  /** Consecutive passed checks that bring it back. */
  HEALTH_HEALTHY_THRESHOLD: Type.Integer({ minimum: 1, default: 2 }),
  /** The default policy for routes that do not choose their own. */
  RATE_LIMIT_ALGORITHM: Type.Union([Type.Literal('fixed-window'), Type.Literal('sliding-window'), Type.Literal('token-bucket')], { default: 'sliding-window' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 100 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, default: 1000 }),
  RATE_LIMIT_KEY_PREFIX: Type.String({ default: 'gw:rl:' }),
  /**
   * Circuit breaker around the rate limiter's Redis calls: a decision slower than this lets the request
   * through and counts as a failure. Redis answers in about 1 ms; the margin absorbs event-loop stalls,
   * and stays under the client's own 250 ms command timeout so the breaker is the one that decides.
   */
  REDIS_BREAKER_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 200 }),
  /** Open after more than this share of failed decisions (percent) ... */
  REDIS_BREAKER_ERROR_THRESHOLD_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** ... among at least this many in the rolling window (10 s) ... */
  REDIS_BREAKER_VOLUME_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** ... and probe Redis again (half-open) after this long; meanwhile every request is let through. */
  REDIS_BREAKER_RESET_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  /**
   * The lab's admin credential: the admin API (/admin/…: faults, pattern switches, Toxiproxy) answers
   * only requests with `Authorization: Bearer <this>`. Unset: the admin API is not mounted at all.
   */
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, pattern: '^[A-Za-z0-9._~-]+$' })),
  /**
   * The admin API's own budget per client address, one for all of /admin/… (sliding window): far above
   * what the lab's tools use (./lab chaos: one or two calls per command; an experiment: a few per phase;
   * the admin tests: at most 13 in a row), far below a guessing loop.
   */
  ADMIN_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  ADMIN_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, default: 1000 }),
  /**
   * Wrong admin credentials per client address and window: past them the address gets 429 for the rest
   * of the window, the right credential included (admin/auth-failures.ts says why).
   */
  ADMIN_AUTH_FAILURES_MAX: Type.Integer({ minimum: 1, default: 5 }),
  ADMIN_AUTH_FAILURES_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  /** Toxiproxy's API, where the admin API applies toxics. */
  TOXIPROXY_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8474' }),
  /** The lab's proxies (topology.ts): what GET /admin/chaos lists and reset heals; a test's own proxies are left alone. */
  CHAOS_PROXIES: Type.String({ pattern: '^[a-z0-9_-]+(,[a-z0-9_-]+)*$', default: 'postgres,redis,kafka,provider,provider-callbacks' }),
  /** The payment provider's base URL, for its fault knobs (it is no upstream of the gateway). */
  PROVIDER_ADMIN_URL: Type.Optional(Type.String({ pattern: '^https?://[^,]+$' }))
})

export type GatewayConfig = Static<typeof GatewayConfigSchema>

export function loadGatewayConfig (env?: Record<string, string | undefined>): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, env)
}
