import fp from 'fastify-plugin'
import type { GatewayConfig } from '../config.js'
import type { GatewayMetrics } from '../metrics.js'
import { Upstream } from '../upstream/upstream.js'

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: { catalog: Upstream }
  }
}

/** The upstream services the gateway routes to, each with its replicas, health checks and breaker. */
export const upstreamsPlugin = fp<{ config: GatewayConfig, metrics: GatewayMetrics }>(async (app, { config, metrics }) => {
  const catalog = new Upstream({
    name: 'catalog',
    urls: config.CATALOG_UPSTREAMS.split(','),
    balancing: config.LOAD_BALANCER,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    breaker: {
      errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS
    },
    health: {
      intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
      unhealthyThreshold: config.HEALTH_UNHEALTHY_THRESHOLD,
      healthyThreshold: config.HEALTH_HEALTHY_THRESHOLD
    }
  }, metrics, app.log)
  app.decorate('upstreams', { catalog })
  // The gateway is ready while at least one replica of every upstream is in rotation.
  app.health.addCheck('catalog', async () => {
    if (!catalog.replicas.some((r) => r.healthy)) throw new Error('no healthy catalog replica')
  })
  app.addHook('onClose', async () => { await catalog.close() })
}, { name: 'upstreams', dependencies: ['lab-health'] })
