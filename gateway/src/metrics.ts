import { Counter, Gauge, type Registry } from 'prom-client'

/** The gateway's own metric families (RED metrics per route come from @lab/platform). */
export function createGatewayMetrics (registry: Registry) {
  return {
    upstreamRequests: new Counter({
      name: 'gateway_upstream_requests_total',
      help: 'Requests the gateway sent upstream, by upstream, replica and outcome (response, error, timeout)',
      labelNames: ['upstream', 'replica', 'outcome'] as const,
      registers: [registry]
    }),
    upstreamRejected: new Counter({
      name: 'gateway_upstream_rejected_total',
      help: 'Requests answered by the gateway without reaching the upstream, by reason (breaker_open, no_healthy_replica)',
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
    }),
    breakerState: new Gauge({
      name: 'gateway_circuit_breaker_state',
      help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'] as const,
      registers: [registry]
    }),
    breakerTransitions: new Counter({
      name: 'gateway_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes per upstream, by the state entered',
      labelNames: ['upstream', 'to'] as const,
      registers: [registry]
    })
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>
