import { Counter, type Registry } from 'prom-client'
import { ALGORITHMS } from './policy.js'

/**
 * Rate-limit metric families. Labels are bounded: three algorithms × two decisions. Every series starts
 * at 0 so a dashboard shows "no rejections" rather than "no data". Which fail-opens never reached
 * Redis is in `circuit_breaker_rejected_total{breaker="redis"}` (the breaker in plugin.ts).
 */
export function createRateLimitMetrics (registry: Registry) {
  const decisions = new Counter({
    name: 'gateway_rate_limit_decisions_total',
    help: 'Rate-limit decisions taken in Redis, by algorithm and decision (allowed, rejected)',
    labelNames: ['algorithm', 'decision'] as const,
    registers: [registry]
  })
  const errors = new Counter({
    name: 'gateway_rate_limit_errors_total',
    help: 'Requests let through without a decision (fail-open) because Redis failed or timed out, or its circuit breaker refused the call, by algorithm',
    labelNames: ['algorithm'] as const,
    registers: [registry]
  })
  for (const algorithm of ALGORITHMS) {
    decisions.inc({ algorithm, decision: 'allowed' }, 0)
    decisions.inc({ algorithm, decision: 'rejected' }, 0)
    errors.inc({ algorithm }, 0)
  }
  return { decisions, errors }
}

export type RateLimitMetrics = ReturnType<typeof createRateLimitMetrics>
