import { Counter, Gauge, type Registry } from 'prom-client'
import { createBreakerMetrics } from '@lab/platform'

/**
 * The gateway's own metric families (RED metrics per route come from @lab/platform). Its breakers, one
 * per upstream (`breaker="catalog"`) and one around Redis for rate limiting (`breaker="redis"`), share
 * the lab's `circuit_breaker_*` family.
 */
export function createGatewayMetrics (registry: Registry) {
  return {
    breakers: createBreakerMetrics(registry),
    upstreamRequests: new Counter({
      name: 'gateway_upstream_requests_total',
      help: 'Requests the gateway sent upstream, by upstream, replica and outcome (response, error, timeout)',
      labelNames: ['upstream', 'replica', 'outcome'] as const,
      registers: [registry]
    }),
    upstreamRejected: new Counter({
      name: 'gateway_upstream_rejected_total',
      help: 'Requests answered by the gateway without reaching the upstream because no replica was in rotation (reason no_healthy_replica); refusals of an open breaker are in circuit_breaker_rejected_total',
      labelNames: ['upstream', 'reason'] as const,
      registers: [registry]
    }),
    replicaHealthy: new Gauge({
      name: 'gateway_upstream_replica_healthy',
      help: '1 while a replica is in rotation, 0 while health checks keep it out',
      labelNames: ['upstream', 'replica'] as const,
      registers: [registry]
    }),
    outstanding: new Gauge({
      name: 'gateway_upstream_outstanding_requests',
      help: 'Requests in flight to each replica (what least-outstanding balancing compares)',
      labelNames: ['upstream', 'replica'] as const,
      registers: [registry]
    })
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>
