import { address } from '../../infra/topology.js'
import { scrapeSum } from './lab.js'
import { admin } from './switches.js'

export const PAYMENTS = `http://${address('payments', 'native')}`
export const PROVIDER = `http://${address('provider', 'native')}`

/**
 * Payments' provider settings in the lab: the defaults of services/payments/src/config.ts, which the
 * topology does not override (experiments/test/payments-provider.test.ts fails when they drift).
 */
export const PAYMENTS_PROVIDER = {
  /** PROVIDER_TIMEOUT_MS: one call slower than this fails; it is also the breaker's timeout. */
  timeoutMs: 2000,
  /** PROVIDER_MAX_ATTEMPTS: calls per charge, the first included. */
  maxAttempts: 3,
  /** PROVIDER_RETRY_BUDGET_RATIO, _MIN_PER_SECOND, _WINDOW_MS. */
  budgetRatio: 0.1,
  budgetMinPerSecond: 0.1,
  budgetWindowMs: 10_000,
  /** BREAKER_VOLUME_THRESHOLD: calls in the rolling window before the breaker may open. */
  breakerVolumeThreshold: 5,
  /** BREAKER_ERROR_THRESHOLD_PERCENT. */
  breakerErrorThresholdPercent: 50,
  /** The breaker's rolling window (@lab/platform breaker.ts: rollingCountTimeout). */
  breakerRollingWindowMs: 10_000
} as const

/** The provider's fault knobs (GET/PUT /admin/chaos/services/provider/faults). */
export interface ProviderFaults { errorRate: number, latencyMs: number, declineRate: number }

/** The provider's knobs as they are now, to put back after the experiment changed them. */
export async function providerFaults (): Promise<ProviderFaults> {
  const answer = await admin().call('GET', '/admin/chaos/services/provider/faults') as { instances: Array<{ body: ProviderFaults }> }
  return answer.instances[0]?.body ?? { errorRate: 0, latencyMs: 0, declineRate: 0 }
}

/** Sets the provider's knobs through the gateway's admin API (as ./lab chaos provider …). */
export async function setProviderFaults (faults: ProviderFaults): Promise<void> {
  await admin().call('PUT', '/admin/chaos/services/provider/faults', faults)
}

/** Charge requests the provider answered so far, whatever their outcome (its own counter). */
export async function providerRequests (): Promise<number> {
  const counts = await Promise.all(['accepted', 'duplicate', 'unavailable'].map(async (outcome) => await scrapeSum(PROVIDER, 'provider_charges_total', { outcome })))
  return counts.reduce((a, b) => a + b, 0)
}
