import { Registry } from 'prom-client'
import { createBaseApp, followSwitch, serverTimeoutsFrom, redisPlugin, type Breaker, type LabApp, type LoggerSettings } from '@lab/platform'
import type { GatewayConfig } from './config.js'
import { createGatewayMetrics, skipRequestMetrics } from './metrics.js'
import { upstreamsPlugin } from './plugins/upstreams.js'
import { rateLimitPlugin } from './rate-limit/plugin.js'
import { proxyRoute } from './routes/proxy.js'
import { routeTable } from './routes/table.js'
import { adminPlugin } from './admin/plugin.js'
import { createGatewaySwitches, isLimiting } from './admin/switches.js'
import { configuredUpstreams } from './admin/targets.js'

export interface BuildOptions {
  registry?: Registry
  /** Node process metrics; tests that build several apps in one process turn them off. */
  defaultMetrics?: boolean
  logger?: Partial<LoggerSettings>
}

/** The gateway, wired in a fixed order: base (ids, metrics, health, errors) → Redis → upstreams → rate limit → admin API → routes. */
export async function buildApp (config: GatewayConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const registry = opts.registry ?? new Registry()
  registry.setDefaultLabels({ instance_id: config.INSTANCE_ID })
  const app = await createBaseApp({
    logger: { service: 'gateway', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, ...opts.logger },
    registry,
    defaultMetrics: opts.defaultMetrics,
    timeouts: serverTimeoutsFrom(config)
  })
  const metrics = createGatewayMetrics(registry, { enabled: config.METRICS_ENABLED })
  if (!config.METRICS_ENABLED) skipRequestMetrics(app)
  const switches = createGatewaySwitches(registry, Object.keys(configuredUpstreams(config)))
  // Each breaker follows its switch (`breaker-<name>`): off, calls bypass it (breaker-switch.ts).
  const chooseBreaker = (breaker: Breaker) => followSwitch(breaker, switches, `breaker-${breaker.name}`, app.log)
  // Rate limiting fails open without Redis, so Redis is not a readiness condition of the gateway.
  await app.register(redisPlugin, { url: config.REDIS_URL, requiredForReadiness: false })
  await app.register(upstreamsPlugin, { config, metrics, chooseBreaker })
  await app.register(rateLimitPlugin, {
    redis: app.redis,
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
    registry,
    isLimiting: isLimiting(switches),
    chooseBreaker,
    defaultPolicy: { algorithm: config.RATE_LIMIT_ALGORITHM, max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
    redisBreaker: {
      timeoutMs: config.REDIS_BREAKER_TIMEOUT_MS,
      errorThresholdPercentage: config.REDIS_BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.REDIS_BREAKER_VOLUME_THRESHOLD,
      resetTimeoutMs: config.REDIS_BREAKER_RESET_TIMEOUT_MS,
      metrics: metrics.breakers
    }
  })
  if (config.ADMIN_TOKEN !== undefined) await app.register(adminPlugin, { config: { ...config, ADMIN_TOKEN: config.ADMIN_TOKEN }, switches, metrics })
  else app.log.warn('ADMIN_TOKEN not set: the admin API (/admin/…) is not mounted')
  for (const { upstream: name, ...route } of routeTable(config)) {
    const upstream = app.upstreams.get(name)
    if (upstream !== undefined) await app.register(proxyRoute, { ...route, upstream })
  }
  return app
}
