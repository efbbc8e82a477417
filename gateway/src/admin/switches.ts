import { createSwitchSet, type SwitchDefinitions, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'
import type { RateLimitAlgorithm } from '../rate-limit/policy.js'

const ALGORITHMS: RateLimitAlgorithm[] = ['fixed-window', 'sliding-window', 'token-bucket']

/**
 * The gateway's pattern switches, each defined once, all on by default: rate limiting as a whole and per
 * algorithm (a route is limited while both its algorithm's switch and `rate-limit` are on), and each
 * circuit breaker (one per upstream, and `breaker-redis` around the rate limiter's Redis calls).
 */
export function gatewaySwitchDefinitions (upstreams: string[]): SwitchDefinitions {
  return {
    'rate-limit': 'rate limiting on every route, the admin API\'s lockout after wrong credentials included: off, no route is limited',
    ...Object.fromEntries(ALGORITHMS.map((a) => [`rate-limit-${a}`, `rate limiting of the routes on ${a}: off, those routes are not limited`])),
    'breaker-redis': 'the circuit breaker (and its timeout) around the rate limiter\'s Redis calls: off, every decision goes to Redis however many fail',
    ...Object.fromEntries(upstreams.map((u) => [`breaker-${u}`, `the circuit breaker around ${u}: off, every request goes through however many fail`]))
  }
}

export function createGatewaySwitches (registry: Registry, upstreams: string[]): SwitchSet {
  return createSwitchSet({ definitions: gatewaySwitchDefinitions(upstreams), registry })
}

export function isLimiting (switches: SwitchSet): (algorithm: RateLimitAlgorithm) => boolean {
  return (algorithm) => switches.enabled('rate-limit') && switches.enabled(`rate-limit-${algorithm}`)
}
