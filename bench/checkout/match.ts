import { percentile } from '../stats.js'

/**
 * Matching what was sent (each POST /orders answered 201, by order id) with what became of it (the
 * first orders.confirmed.v1 / orders.cancelled.v1 seen for that id). Pure: times are milliseconds on
 * one clock (performance.now() of the bench process), so the pieces are tested without a lab.
 */

export interface PlacedOrder {
  /** When the POST went out (its answer's arrival minus autocannon's own response time). */
  sentAt: number
  /** When its 201 arrived. */
  answeredAt: number
}

export interface FinalState {
  status: 'confirmed' | 'cancelled'
  /** When the event reached the bench's consumer. */
  at: number
  reason?: string
}

export interface LatencySummary {
  count: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export function summarize (values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort()
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1] as number }
}

export interface Settlement {
  placed: number
  confirmed: number
  cancelled: number
  /** Placed orders with no final state seen. */
  unsettled: string[]
  /** Why orders were cancelled, and how many for each reason. */
  cancelReasons: Record<string, number>
  /** POST sent → confirmed seen, for the confirmed orders. */
  toConfirmed: LatencySummary
  /** POST sent → confirmed or cancelled seen. */
  toFinal: LatencySummary
  /** The first POST's send time and the last final state's arrival (NaN without any). */
  firstSentAt: number
  lastFinalAt: number
  /**
   * Orders settled per second, from the first POST to the last final state: the placed count over that
   * time when every order settled (the figure asked for), the settled ones otherwise.
   */
  settledPerSecond: number
}

/** What became of every placed order: how many settled how, how long it took, how fast they settled. */
export function settle (placed: ReadonlyMap<string, PlacedOrder>, finals: ReadonlyMap<string, FinalState>): Settlement {
  const toConfirmed: number[] = []
  const toFinal: number[] = []
  const unsettled: string[] = []
  const cancelReasons: Record<string, number> = {}
  let firstSentAt = Number.POSITIVE_INFINITY
  let lastFinalAt = Number.NEGATIVE_INFINITY
  for (const [orderId, order] of placed) {
    firstSentAt = Math.min(firstSentAt, order.sentAt)
    const final = finals.get(orderId)
    if (final === undefined) {
      unsettled.push(orderId)
      continue
    }
    lastFinalAt = Math.max(lastFinalAt, final.at)
    toFinal.push(final.at - order.sentAt)
    if (final.status === 'confirmed') toConfirmed.push(final.at - order.sentAt)
    else {
      const reason = final.reason ?? 'no reason given'
      cancelReasons[reason] = (cancelReasons[reason] ?? 0) + 1
    }
  }
  const elapsedMs = lastFinalAt - firstSentAt
  return {
    placed: placed.size,
    confirmed: toConfirmed.length,
    cancelled: toFinal.length - toConfirmed.length,
    unsettled,
    cancelReasons,
    toConfirmed: summarize(toConfirmed),
    toFinal: summarize(toFinal),
    firstSentAt: placed.size === 0 ? Number.NaN : firstSentAt,
    lastFinalAt: toFinal.length === 0 ? Number.NaN : lastFinalAt,
    settledPerSecond: toFinal.length > 0 && elapsedMs > 0 ? toFinal.length / (elapsedMs / 1000) : Number.NaN
  }
}

/**
 * The most events within any `windowMs` (times in ms, any order): how bursty the arrivals were. An
 * even 50 per second puts 5 in 100 ms; autocannon's per-second budgets can put many more.
 */
export function peakInWindow (times: Iterable<number>, windowMs: number): number {
  const sorted = Float64Array.from(times).sort()
  let peak = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++
    peak = Math.max(peak, end - start + 1)
  }
  return peak
}
