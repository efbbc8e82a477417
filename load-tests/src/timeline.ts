import { LatencyRecorder, percentile } from '../../bench/stats.js'

/** What the answers of one second of a run were (the second they arrived, counted from the start). */
export interface TimelineSecond {
  second: number
  answers: number
  /** Unexpected statuses plus requests lost (no answer). */
  errors: number
  byStatus: Record<string, number>
  p50Ms: number
  p99Ms: number
}

/**
 * The run second by second, for experiments that inject a fault while the load runs and must tell when
 * errors started and stopped, or how far latency rose (the report's totals would blur that).
 */
export class Timeline {
  private readonly seconds = new Map<number, { errors: number, byStatus: Map<number, number>, latency: LatencyRecorder }>()

  constructor (private readonly startedAt = performance.now()) {}

  private at (now: number) {
    const second = Math.max(0, Math.floor((now - this.startedAt) / 1000))
    let entry = this.seconds.get(second)
    if (entry === undefined) {
      entry = { errors: 0, byStatus: new Map(), latency: new LatencyRecorder() }
      this.seconds.set(second, entry)
    }
    return entry
  }

  answer (status: number, latencyMs: number, unexpected: boolean, now = performance.now()): void {
    const entry = this.at(now)
    entry.byStatus.set(status, (entry.byStatus.get(status) ?? 0) + 1)
    entry.latency.record(latencyMs)
    if (unexpected) entry.errors++
  }

  lost (now = performance.now()): void {
    this.at(now).errors++
  }

  /** Every second from the first to the last that saw something, empty ones included. */
  toJSON (): TimelineSecond[] {
    const last = Math.max(-1, ...this.seconds.keys())
    return Array.from({ length: last + 1 }, (_, second) => {
      const entry = this.seconds.get(second)
      const sorted = entry?.latency.sorted() ?? new Float64Array()
      return {
        second,
        answers: sorted.length,
        errors: entry?.errors ?? 0,
        byStatus: Object.fromEntries([...(entry?.byStatus ?? [])].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n])),
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99)
      }
    })
  }
}
