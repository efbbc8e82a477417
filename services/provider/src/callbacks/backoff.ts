export interface BackoffSettings {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number
  /** No delay exceeds this. */
  maxDelayMs: number
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles with each retry (base, 2·base, 4·base …,
 * capped), and the delay is drawn between half the ceiling and the ceiling. The doubling gives a
 * struggling receiver room to recover; the jitter spreads the retries of many callbacks that failed
 * together (the receiver was down for all of them), so they do not come back as one synchronised wave.
 * Equal rather than full jitter so every wait still grows and never drops to zero.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @param retry 1 for the wait before the second attempt, 2 before the third, …
 */
export function backoffDelayMs (retry: number, { baseDelayMs, maxDelayMs }: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
