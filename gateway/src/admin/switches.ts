import { createSwitchSet, type Breaker, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'
import type { RateLimitAlgorithm } from '../rate-limit/policy.js'

const ALGORITHMS: RateLimitAlgorithm[] = ['fixed-window', 'sliding-window', 'token-bucket']

/**
 * The gateway's pattern switches, all on by default: rate limiting as a whole and per algorithm (a
 * route is limited while both its algorithm's switch and `rate-limit` are on), and each circuit breaker
 * (one per upstream, and `breaker-redis` around the rate limiter's Redis calls).
 */
export function createGatewaySwitches (registry: Registry, upstreams: string[]): SwitchSet {
  return createSwitchSet({
    names: ['rate-limit', ...ALGORITHMS.map((a) => `rate-limit-${a}`), 'breaker-redis', ...upstreams.map((u) => `breaker-${u}`)],
    registry
  })
}

export function isLimiting (switches: SwitchSet): (algorithm: RateLimitAlgorithm) => boolean {
  return (algorithm) => switches.enabled('rate-limit') && switches.enabled(`rate-limit-${algorithm}`)
}

/** Each breaker follows its switch from now on (`breaker-<name>`). */
export function bindBreakers (switches: SwitchSet, breakers: Breaker[]): void {
  const apply = () => { for (const b of breakers) b.setEnabled(switches.enabled(`breaker-${b.name}`)) }
  switches.onChange(apply)
  apply()
}
