import { setTimeout as sleep } from 'node:timers/promises'

export { sleep }

export interface BackoffPolicy {
  /** Ceiling of the first wait; it doubles with every attempt ... */
  baseMs: number
  /** ... up to this ceiling. */
  maxMs: number
}

/**
 * Exponential backoff with full jitter: the wait before retry n (n = 1 after the first failure) is drawn
 * uniformly from [0, min(maxMs, baseMs × 2^(n-1))]. The randomness spreads the retries of callers that
 * failed together, so they do not hit the dependency again in lockstep.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function fullJitterDelayMs (retry: number, { baseMs, maxMs }: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1))
  return Math.round(random() * ceiling)
}
