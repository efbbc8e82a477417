import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { LoadRequest } from '../lib/requests.js'
import { paced } from './pacing.js'

export interface PacedLoadSpec {
  /** Origin of the target, e.g. http://127.0.0.1:8080. */
  baseUrl: string
  rate: number
  durationSeconds: number
  /** Connections at most (the scenario's vus): each holds one request in flight. */
  maxConnections: number
  /** The next iteration's request. */
  next: () => LoadRequest
  /** Each answer, with autocannon's own exact response time and the moment the request went out. */
  onAnswer: (request: LoadRequest, status: number, latencyMs: number, body: string, sentAt: number, headers: Record<string, unknown>) => void
  /** A request that got no answer: a connection error, a timeout, or still out when the run stopped. */
  onNoAnswer: (request: LoadRequest) => void
  /** Seconds a request may take before it counts as unanswered (autocannon's timeout). */
  timeoutSeconds?: number
  signal?: AbortSignal
}

export interface PacedLoadResult {
  connections: number
  /** Requests sent in all, and within the scenario's window plus 250 ms (the rest went out late: a slow system). */
  sent: number
  sentInWindow: number
  /** First to last send time (performance.now() ms); NaN when nothing was sent. */
  firstSentAt: number
  lastSentAt: number
  /** Unanswered when its instance ended (stopped by the deadline or the signal, or lost last). */
  unfinished: number
}

/**
 * Sends `rate` requests per second for `durationSeconds` over paced one-connection autocannon instances
 * (pacing.ts): rate × duration in all. A connection whose previous request is still unanswered sends its
 * next one late (a closed loop on that connection only); past the window plus the timeout every
 * instance is stopped, so a slow system shows as sent < target and a lower achieved rate, never as a
 * longer, slower run that looks fine. autocannon runs in this process: `setupRequest` builds each
 * request, and its `onResponse` is followed synchronously by the instance's 'response' event with the
 * exact response time (lib/httpClient.js, lib/run.js), which pairs every answer with its request.
 * @see https://github.com/mcollina/autocannon#customizing-sent-requests
 */
export async function runPacedLoad (spec: PacedLoadSpec): Promise<PacedLoadResult> {
  const { instances, offsetMs, perInstance } = paced(spec.rate, spec.maxConnections)
  const run: PacedRun = {
    // The last instance's last send is scheduled one offset before the end: a little slack for timers
    // on a busy machine, so that only a request held back by a slow answer counts as late.
    windowEnd: performance.now() + spec.durationSeconds * 1000 + 250,
    timeoutSeconds: spec.timeoutSeconds ?? 10,
    running: new Set(),
    counts: { sent: 0, sentInWindow: 0, firstSentAt: Number.NaN, lastSentAt: Number.NaN, unfinished: 0 }
  }
  const stopAll = () => { for (const instance of run.running) instance.stop() }
  spec.signal?.addEventListener('abort', stopAll, { once: true })
  const deadline = setTimeout(stopAll, (spec.durationSeconds + run.timeoutSeconds) * 1000 + 1000)
  try {
    await Promise.all(perInstance.map(async (budget, k) => { await runInstance(spec, run, budget, k * offsetMs) }))
  } finally {
    clearTimeout(deadline)
    spec.signal?.removeEventListener('abort', stopAll)
  }
  return { connections: instances, ...run.counts }
}

/** What the instances of one run share: the send window, the timeout, the instances still running, the counts. */
interface PacedRun {
  windowEnd: number
  timeoutSeconds: number
  running: Set<autocannon.Instance>
  counts: Omit<PacedLoadResult, 'connections'>
}

/** One connection's share of the load: `budget` requests a second, its first one `delayMs` after the run's. */
async function runInstance (spec: PacedLoadSpec, run: PacedRun, budget: number, delayMs: number): Promise<void> {
  await sleep(delayMs)
  if (spec.signal?.aborted === true) return
  const exchange = pairedExchange(spec, run)
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({
      url: spec.baseUrl,
      connections: 1,
      overallRate: budget,
      amount: budget * spec.durationSeconds,
      timeout: run.timeoutSeconds,
      requests: [exchange.request]
    }, (err: unknown) => {
      run.running.delete(instance)
      // Stopped (the deadline, the signal) or ended on a lost request: that one never got an answer.
      if (exchange.loseUnanswered()) run.counts.unfinished++
      err === null || err === undefined ? resolve() : reject(err)
    })
    run.running.add(instance)
    instance.on('response', (_client, status, _bytes, responseTime) => { exchange.answered(status, responseTime) })
  })
}

/**
 * The request of one autocannon instance, built from `spec.next()` each time, and each answer paired
 * with the request it answers: onResponse keeps the body and headers, the 'response' event that follows
 * it brings the exact response time.
 */
function pairedExchange (spec: PacedLoadSpec, run: PacedRun) {
  let current: { request: LoadRequest, sentAt: number } | undefined
  let answer: { status: number, body: string, headers: Record<string, unknown> } | undefined
  const request: autocannon.Request = {
    setupRequest: (req) => {
      // A new request is built only once the previous one is answered or lost (pipelining 1): one
      // still unanswered here was lost (a timeout or a broken connection; autocannon reconnects).
      if (current !== undefined) spec.onNoAnswer(current.request)
      const next = spec.next()
      current = { request: next, sentAt: countSend(run) }
      return { ...req, method: next.method, path: next.path, headers: next.headers ?? {}, ...(next.body === undefined ? {} : { body: next.body }) }
    },
    onResponse: (status, body, _context, headers) => { answer = { status, body, headers: (headers ?? {}) as Record<string, unknown> } }
  }
  return {
    request,
    answered: (status: number, responseTime: number): void => {
      if (current === undefined || answer === undefined) return
      spec.onAnswer(current.request, status, responseTime, answer.body, current.sentAt, answer.headers)
      current = undefined
      answer = undefined
    },
    /** Reports the request still out, if any, as unanswered; true when there was one. */
    loseUnanswered: (): boolean => {
      if (current === undefined) return false
      spec.onNoAnswer(current.request)
      return true
    }
  }
}

/** Counts one request going out now; its send time. */
function countSend (run: PacedRun): number {
  const now = performance.now()
  const counts = run.counts
  counts.sent++
  if (now <= run.windowEnd) counts.sentInWindow++
  if (Number.isNaN(counts.firstSentAt)) counts.firstSentAt = now
  counts.lastSentAt = now
  return now
}
