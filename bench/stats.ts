/**
 * Latency statistics from every response's own time. autocannon's histogram keeps whole milliseconds
 * (hdr-histogram with integer buckets, lowest discernible value 1), too coarse for a sub-millisecond
 * comparison such as the gateway's added latency; its `response` event gives the exact time, kept here.
 */
export class LatencyRecorder {
  private values = new Float64Array(1 << 16)
  private size = 0

  record (ms: number): void {
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2)
      bigger.set(this.values)
      this.values = bigger
    }
    this.values[this.size++] = ms
  }

  get count (): number {
    return this.size
  }

  /** The recorded values, ascending (a copy). */
  sorted (): Float64Array {
    return this.values.slice(0, this.size).sort()
  }
}

/**
 * Nearest-rank percentile (p in 0..100) of values sorted ascending: the smallest value with at least
 * p% of the values at or below it. NaN for no values.
 * @see https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
 */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  if (p <= 0) return sorted[0] as number
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(rank, sorted.length) - 1] as number
}

/** a / b, NaN when b is not a positive number (no ratio to report). */
export function ratio (a: number, b: number): number {
  return b > 0 && Number.isFinite(a) ? a / b : Number.NaN
}
