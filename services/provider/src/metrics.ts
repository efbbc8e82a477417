import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export const CHARGE_OUTCOMES = ['accepted', 'duplicate', 'unavailable', 'succeeded', 'failed'] as const
export const CALLBACK_OUTCOMES = ['delivered', 'retried', 'gave_up'] as const
export const FAULT_KNOBS = ['error_rate', 'latency_ms', 'decline_rate'] as const

/**
 * The provider's own metric families, on the injected registry. Labels are closed sets, never ids.
 */
export function createProviderMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    charges: new Counter({
      name: 'provider_charges_total',
      help: 'Charges by outcome: accepted (new charge stored), duplicate (same chargeId and body again: nothing charged), unavailable (503 from the errorRate knob), succeeded and failed (decided)',
      labelNames: ['outcome'] as const,
      registers
    }),
    callbacks: new Counter({
      name: 'provider_callbacks_total',
      help: 'Callback delivery attempts by outcome: delivered (2xx), retried (failed, another attempt scheduled), gave_up (failed, attempts exhausted)',
      labelNames: ['outcome'] as const,
      registers
    }),
    callbackAttemptDuration: new Histogram({
      name: 'provider_callback_attempt_duration_seconds',
      help: 'Duration of one callback delivery attempt in seconds, failures included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers
    }),
    callbacksPending: new Gauge({
      name: 'provider_callbacks_pending',
      help: 'Callbacks not yet delivered nor given up (waiting for an attempt or a retry)',
      registers
    }),
    chargesStored: new Gauge({
      name: 'provider_charges_stored',
      help: 'Charges the provider remembers (in memory, bounded by PROVIDER_MAX_CHARGES)',
      registers
    }),
    faults: new Gauge({
      name: 'provider_faults',
      help: 'Current fault knobs: error_rate and decline_rate (0..1), latency_ms (milliseconds)',
      labelNames: ['knob'] as const,
      registers
    })
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const outcome of CHARGE_OUTCOMES) metrics.charges.inc({ outcome }, 0)
  for (const outcome of CALLBACK_OUTCOMES) metrics.callbacks.inc({ outcome }, 0)
  for (const knob of FAULT_KNOBS) metrics.faults.set({ knob }, 0)
  return metrics
}

export type ProviderMetrics = ReturnType<typeof createProviderMetrics>
