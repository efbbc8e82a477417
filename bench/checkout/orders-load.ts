import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { PlacedOrder } from './match.js'
import type { PlaceOrderBody } from './plan.js'
import { summarize, type LatencySummary } from './match.js'
import { paced } from '../../load-tests/src/pacing.js'

// The pacing is the load driver's (./lab load), shared with this bench.
export { paced }

export interface OrderLoadSpec {
  title: string
  /** The gateway's base URL; orders go to `${base}/orders`. */
  base: string
  connections: number
  durationSeconds?: number
  /** Stop after this many requests (a warm-up). */
  maxRequests?: number
  /**
   * Orders per second, evenly paced (`paced(rate)` below) for `durationSeconds`: rate × duration
   * orders in all. Without it, as fast as they are taken over `connections` connections.
   */
  rate?: number
  /** Body of the order with this sequence number (0, 1, 2 … across all connections). */
  bodyOf: (sequence: number) => PlaceOrderBody
  onTick?: (elapsedSeconds: number, answersLastSecond: number) => void
  /** Stops the run early (Ctrl-C): autocannon's stop(), then the figures so far. */
  signal?: AbortSignal
}

export interface OrderLoadResult {
  title: string
  connections: number
  rate?: number
  durationSeconds: number
  /** POSTs sent, and answered (the rest were in flight when the run stopped, or timed out). */
  sent: number
  answered: number
  /** Answers 201: orders placed, by id. */
  placed: Map<string, PlacedOrder>
  placedPerSecond: number
  /** Every answer by status and error code, e.g. `201`, `409 ORDERS_OUT_OF_STOCK`. */
  byStatus: Record<string, number>
  /** Send to answer of the 201s, from autocannon's per-response time (fractions of a ms kept). */
  post: LatencySummary
  /** Connection errors and timeouts. */
  errors: number
}

/** `201` or `<status> <error code>` for an answer, from its JSON body when it has one. */
export function statusLabel (status: number, body: string): string {
  if (status === 201) return '201'
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code
    return typeof code === 'string' ? `${status} ${code}` : String(status)
  } catch {
    return String(status)
  }
}

/**
 * POST /orders with autocannon, in this process. Each request gets a fresh Idempotency-Key and the
 * next body of the plan. autocannon hands a request's body to `onResponse` and, synchronously right
 * after, its exact response time to the instance's 'response' listener (lib/httpClient.js, lib/run.js):
 * the pair gives each order its id and the moment its POST went out.
 * @see https://github.com/mcollina/autocannon#customizing-sent-requests
 */
export async function placeOrders (spec: OrderLoadSpec): Promise<OrderLoadResult> {
  const placed = new Map<string, PlacedOrder>()
  const byStatus: Record<string, number> = {}
  const postMs: number[] = []
  let sequence = 0
  let answered: { label: string, orderId?: string } | undefined
  const request: autocannon.Request = {
    method: 'POST',
    path: '/orders',
    setupRequest: (req) => ({
      ...req,
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(spec.bodyOf(sequence++))
    }),
    onResponse: (status, body) => {
      const label = statusLabel(status, body)
      answered = { label, ...(status === 201 ? { orderId: (JSON.parse(body) as { id: string }).id } : {}) }
    }
  }
  const base: autocannon.Options = {
    url: spec.base,
    connections: spec.connections,
    requests: [request],
    ...(spec.durationSeconds === undefined ? {} : { duration: spec.durationSeconds }),
    ...(spec.maxRequests === undefined ? {} : { amount: spec.maxRequests })
  }
  const started = performance.now()
  let answers = 0
  let answersBefore = 0
  const ticker = setInterval(() => {
    spec.onTick?.(Math.round((performance.now() - started) / 1000), answers - answersBefore)
    answersBefore = answers
  }, 1000)
  const run = async (options: autocannon.Options) => await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, res: autocannon.Result) => { err === null || err === undefined ? resolve(res) : reject(err) })
    if (spec.signal?.aborted === true) instance.stop()
    spec.signal?.addEventListener('abort', () => { instance.stop() }, { once: true })
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      const now = performance.now()
      if (answered === undefined) return
      answers++
      byStatus[answered.label] = (byStatus[answered.label] ?? 0) + 1
      if (answered.orderId !== undefined) {
        placed.set(answered.orderId, { sentAt: now - responseTime, answeredAt: now })
        postMs.push(responseTime)
      }
      answered = undefined
    })
  })
  let results: autocannon.Result[]
  try {
    if (spec.rate === undefined) {
      results = [await run(base)]
    } else {
      const { offsetMs, perInstance } = paced(spec.rate)
      // A fixed number each (its budget times the seconds), not a duration: a duration would stop
      // each instance with its last POST possibly still unanswered.
      const { duration: _duration, ...rest } = base
      results = await Promise.all(perInstance.map(async (overallRate, k) => {
        await sleep(k * offsetMs)
        return await run({ ...rest, connections: 1, overallRate, amount: overallRate * (spec.durationSeconds ?? 10) })
      }))
    }
  } finally {
    clearInterval(ticker)
  }
  // Paced: the span of the send times plus one interval, the time the rate was offered for.
  const sent = [...placed.values()].map((o) => o.sentAt)
  const durationSeconds = spec.rate === undefined
    ? (results[0]?.duration ?? 0)
    : sent.length === 0 ? 0 : (Math.max(...sent) - Math.min(...sent)) / 1000 + 1 / spec.rate
  return {
    title: spec.title,
    connections: spec.rate === undefined ? spec.connections : results.length,
    ...(spec.rate === undefined ? {} : { rate: spec.rate }),
    durationSeconds,
    sent: sequence,
    answered: Object.values(byStatus).reduce((a, b) => a + b, 0),
    placed,
    placedPerSecond: durationSeconds > 0 ? placed.size / durationSeconds : 0,
    byStatus,
    post: summarize(postMs),
    errors: results.reduce((n, r) => n + r.errors, 0)
  }
}
