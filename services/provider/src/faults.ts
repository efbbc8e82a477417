import type { ProviderMetrics } from './metrics.js'

/** The run-time fault knobs (GET/PUT /admin/faults). */
export interface Faults {
  /** Share of POST /charges answered 503, 0..1. */
  errorRate: number
  /** Added before POST /charges answers, in ms. */
  latencyMs: number
  /** Share of charges decided 'failed' (card_declined), 0..1. */
  declineRate: number
}

export interface FaultSwitch {
  current: () => Readonly<Faults>
  /** Changes the given knobs, keeps the others; answers the new state. */
  update: (change: Partial<Faults>) => Readonly<Faults>
  /** Back to the values the service booted with (its environment). */
  reset: () => Readonly<Faults>
  /** A coin flip weighted by a rate knob. */
  roll: (knob: 'errorRate' | 'declineRate') => boolean
}

/**
 * The knobs, kept in one place so every change is mirrored in the `provider_faults` gauges (a dashboard
 * shows when a fault was switched on, beside its effect). `random` is injectable for tests.
 */
export function createFaultSwitch (initial: Faults, metrics: ProviderMetrics, random: () => number = Math.random): FaultSwitch {
  let faults: Readonly<Faults> = Object.freeze({ ...initial })
  const publish = () => {
    metrics.faults.set({ knob: 'error_rate' }, faults.errorRate)
    metrics.faults.set({ knob: 'latency_ms' }, faults.latencyMs)
    metrics.faults.set({ knob: 'decline_rate' }, faults.declineRate)
    return faults
  }
  publish()
  return {
    current: () => faults,
    update: (change) => {
      faults = Object.freeze({ ...faults, ...definedOnly(change) })
      return publish()
    },
    reset: () => {
      faults = Object.freeze({ ...initial })
      return publish()
    },
    // `<` so that 0 never fires and 1 always does (random() is in [0, 1)).
    roll: (knob) => random() < faults[knob]
  }
}

function definedOnly (change: Partial<Faults>): Partial<Faults> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined))
}
