import fp from 'fastify-plugin'
import type { Breaker } from '@lab/platform'
import type { GatewayConfig } from '../config.js'
import type { GatewayMetrics } from '../metrics.js'
import { Upstream } from '../upstream/upstream.js'

export type UpstreamName = 'catalog' | 'inventory' | 'orders' | 'payments' | 'notifications'

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured upstreams, each with its replicas, health checks and breaker. */
    upstreams: Map<UpstreamName, Upstream>
  }
}

function replicaUrls (config: GatewayConfig): Record<UpstreamName, string | undefined> {
  return {
    catalog: config.CATALOG_UPSTREAMS,
    inventory: config.INVENTORY_UPSTREAMS,
    orders: config.ORDERS_UPSTREAMS,
    payments: config.PAYMENTS_UPSTREAMS,
    notifications: config.NOTIFICATIONS_UPSTREAMS
  }
}

/** The upstream services the gateway routes to. Every one gets the same timeout, breaker and health-check settings. */
export const upstreamsPlugin = fp<{ config: GatewayConfig, metrics: GatewayMetrics, chooseBreaker?: (breaker: Breaker) => Breaker }>(async (app, { config, metrics, chooseBreaker }) => {
  const upstreams = new Map<UpstreamName, Upstream>()
  for (const [name, urls] of Object.entries(replicaUrls(config)) as Array<[UpstreamName, string | undefined]>) {
    if (urls === undefined) continue
    upstreams.set(name, new Upstream({
      name,
      urls: urls.split(','),
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
      },
      chooseBreaker
    }, metrics, app.log))
  }
  app.decorate('upstreams', upstreams)
  // The gateway is ready while at least one replica of every upstream is in rotation.
  for (const [name, upstream] of upstreams) {
    app.health.addCheck(name, async () => {
      if (!upstream.replicas.some((r) => r.healthy)) throw new Error(`no healthy ${name} replica`)
    })
  }
  app.addHook('onClose', async () => { await Promise.all([...upstreams.values()].map(async (u) => { await u.close() })) })
}, { name: 'upstreams', dependencies: ['lab-health'] })
