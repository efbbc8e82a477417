import { createSwitchSet, type Breaker, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'

/** Payments' pattern switches (GET|PUT|DELETE /admin/switches), all on by default. */
export const PAYMENTS_PATTERNS = ['retry-backoff', 'breaker-provider'] as const
export type PaymentsPattern = typeof PAYMENTS_PATTERNS[number]

export function createPaymentsSwitches (registry: Registry): SwitchSet<PaymentsPattern> {
  return createSwitchSet({
    names: PAYMENTS_PATTERNS,
    registry,
    descriptions: {
      'retry-backoff': 'exponential backoff with full jitter between provider attempts: off, naive retries, the same number of attempts sent at once (a retry storm)',
      'breaker-provider': 'the circuit breaker around the provider: off, every call goes through however many fail'
    }
  })
}

/** The provider breaker follows its switch from now on. */
export function bindProviderBreaker (switches: SwitchSet<PaymentsPattern>, breaker: Breaker): void {
  const apply = () => { breaker.setEnabled(switches.enabled('breaker-provider')) }
  switches.onChange(apply)
  apply()
}
