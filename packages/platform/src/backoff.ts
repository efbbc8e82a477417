/**
 * Exponential backoff, the one rule behind every wait before a retry in the lab: the ceiling of the
 * wait before retry n (n = 1 after the first failure) is `baseMs × 2^(n-1)`, capped at `maxMs`, and
 * the jitter decides how the wait is drawn under that ceiling:
 * - `none`: the ceiling itself. For a lone waiter (a reconnect, a restart, a poll that slows down):
 *   nobody else retries in step with it.
 * - `full`: uniform in [0, ceiling]. For callers that failed together and retry against the same
 *   dependency or row: the randomness spreads them over the whole window (AWS measured it to need the
 *   fewest calls and finish soonest of the variants).
 * - `equal`: uniform in [ceiling/2, ceiling]. Spread too, but every wait still grows and is never 0.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export type Jitter = 'none' | 'full' | 'equal'

/** How the ceiling grows: what a service usually takes from its configuration. */
export interface BackoffCeiling {
  /** The ceiling of the first wait ... */
  baseMs: number
  /** ... doubled with each retry up to this (default: no cap). */
  maxMs?: number
}

/** The ceiling and how the wait is drawn under it: what the pattern using it decides. */
export interface BackoffPolicy extends BackoffCeiling {
  jitter: Jitter
  /** Round the wait to a whole millisecond, as it is logged and observed (default false). */
  round?: boolean
}

/** The longest wait before retry `retry` (1, 2, ...): min(maxMs, baseMs × 2^(retry-1)). */
export function backoffCeilingMs (retry: number, { baseMs, maxMs = Infinity }: BackoffCeiling): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1))
}

/**
 * The wait before retry `retry` (1 after the first failure, 2 after the second, ...), in ms.
 * `random` returns a number in [0, 1); tests inject it.
 */
export function backoffDelayMs (retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(retry, policy)
  const delay = policy.jitter === 'full'
    ? random() * ceiling
    : policy.jitter === 'equal' ? ceiling / 2 + random() * (ceiling / 2) : ceiling
  return policy.round === true ? Math.round(delay) : delay
}
