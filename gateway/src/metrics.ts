import { Counter, Gauge, type CounterConfiguration, type GaugeConfiguration, type Registry } from 'prom-client'
import { createBreakerMetrics, type LabApp } from '@lab/platform'

/** A counter that records nothing: the per-request families with METRICS_ENABLED=false. */
class SilentCounter<T extends string> extends Counter<T> {
  override inc (): void {}
}

class SilentGauge<T extends string> extends Gauge<T> {
  override set (): void {}
  override inc (): void {}
  override dec (): void {}
}

/**
 * The gateway's own metric families (RED metrics per route come from @lab/platform). Its breakers, one
 * per upstream (`breaker="catalog"`) and one around Redis for rate limiting (`breaker="redis"`), share
 * the lab's `circuit_breaker_*` family. With `enabled` false the families updated on every request
 * (upstream requests, outstanding) record nothing and are not exposed; the breakers' families, which
 * change only with a breaker's state, stay.
 */
export function createGatewayMetrics (registry: Registry, { enabled = true }: { enabled?: boolean } = {}) {
  const registers = enabled ? [registry] : []
  const counter = <T extends string>(config: CounterConfiguration<T>): Counter<T> => enabled ? new Counter(config) : new SilentCounter(config)
  const gauge = <T extends string>(config: GaugeConfiguration<T>): Gauge<T> => enabled ? new Gauge(config) : new SilentGauge(config)
  return {
    breakers: createBreakerMetrics(registry),
    upstreamRequests: counter({
      name: 'gateway_upstream_requests_total',
      help: 'Requests the gateway sent upstream, by upstream, replica and outcome (response, error, timeout)',
      labelNames: ['upstream', 'replica', 'outcome'] as const,
      registers
    }),
    upstreamRejected: counter({
      name: 'gateway_upstream_rejected_total',
      help: 'Requests answered by the gateway without reaching the upstream because no replica was in rotation (reason no_healthy_replica); refusals of an open breaker are in circuit_breaker_rejected_total',
      labelNames: ['upstream', 'reason'] as const,
      registers
    }),
    adminAuthFailures: new Counter({
      name: 'gateway_admin_auth_failures_total',
      help: 'Requests to the admin API with a wrong bearer credential (a missing one is not counted): guesses, or a tool with the wrong token',
      registers: [registry]
    }),
    adminRateLimited: adminRateLimitedCounter(registry),
    replicaHealthy: new Gauge({
      name: 'gateway_upstream_replica_healthy',
      help: '1 while a replica is in rotation, 0 while health checks keep it out',
      labelNames: ['upstream', 'replica'] as const,
      registers: [registry]
    }),
    outstanding: gauge({
      name: 'gateway_upstream_outstanding_requests',
      help: 'Requests in flight to each replica (what least-outstanding balancing compares)',
      labelNames: ['upstream', 'replica'] as const,
      registers
    })
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>

/** Both reasons start at 0, so the dashboard shows "none refused" rather than "no data". */
function adminRateLimitedCounter (registry: Registry): Counter<'reason'> {
  const counter = new Counter({
    name: 'gateway_admin_rate_limited_total',
    help: 'Admin API requests answered 429, by reason: requests (the per-address request budget) or auth_failures (locked out after too many wrong credentials)',
    labelNames: ['reason'] as const,
    registers: [registry]
  })
  for (const reason of ['requests', 'auth_failures']) counter.inc({ reason }, 0)
  return counter
}

/**
 * With METRICS_ENABLED=false: marks every route registered from now on `skipMetrics`, so @lab/platform's
 * RED hook records nothing for it (the hook still runs and returns at once, as for /metrics).
 */
export function skipRequestMetrics (app: LabApp): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, skipMetrics: true }
  })
}
