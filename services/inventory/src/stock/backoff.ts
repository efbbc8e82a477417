/**
 * "Full jitter" exponential backoff: before retry n (1, 2, ...), wait a uniformly random time in
 * [0, min(maxMs, baseMs * 2^(n-1))]. The exponential part backs off as contention persists; the
 * randomness spreads the losers of one round over the whole window, so they do not collide again in
 * lockstep (AWS measured full jitter to need the fewest calls and finish soonest of the variants).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function fullJitterDelayMs (retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1))
  return random() * ceiling
}
