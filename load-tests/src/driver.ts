import { randomUUID } from 'node:crypto'
import { createIterationRequest } from '../lib/requests.js'
import { seededRandom } from '../lib/zipf.js'
import type { FlashSaleParams, Scenario } from '../lib/scenario.js'
import { prepareFlashSaleStock } from './flash-sale-stock.js'
import { createOrderPoller, type Settlements } from './order-poller.js'
import { runPacedLoad, type PacedLoadResult } from './paced-load.js'
import { Recorder, summarizeLatencies, type LatencySummary, type RequestFigures } from './recorder.js'
import type { TimelineSecond } from './timeline.js'
import { evaluateThresholds, type Verdict } from './thresholds.js'
import { LatencyRecorder } from '../../bench/stats.js'

export interface RunOptions {
  /** The gateway, e.g. http://127.0.0.1:8080. */
  baseUrl: string
  /** Inventory itself, for the flash sale's stock (only that flow needs it). */
  inventoryUrl?: string
  /** About once a second while the run lasts. */
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
  /** Seeds the draws (product ids, customers, wallets, amounts) for a reproducible run; random otherwise. */
  seed?: number
}

export interface Progress {
  phase: 'load' | 'settling'
  elapsedSeconds: number
  sent: number
  answered: number
  /** Answers in the last second. */
  lastSecond: number
  errors: number
  /** Checkout: orders still polled. */
  pendingOrders?: number
}

export interface CheckoutFigures extends Omit<Settlements, 'timesToFinal'> {
  pollIntervalMs: number
  timeToFinal: LatencySummary
}

/** What a run measured: plain data (JSON as it is), for the report, a file, or an experiment. */
export interface LoadReport {
  scenario: Scenario
  baseUrl: string
  startedAt: string
  target: { rate: number, durationSeconds: number, iterations: number }
  connections: number
  iterations: { sent: number, sentInWindow: number, unfinished: number }
  /** Iterations started per second over the span of their send times (see achievedRate()). */
  achievedRate: number
  elapsedSeconds: number
  answered: number
  /** Unexpected statuses and missing answers over all requests that ended. */
  errorRate: number
  /** Answers by plain status code, over all requests. */
  statuses: Record<string, number>
  all: LatencySummary
  requests: RequestFigures[]
  setup?: string
  checkout?: CheckoutFigures
  /** Second by second, from the start of the run: answers, errors, statuses, p50 and p99. */
  timeline: TimelineSecond[]
  /** The catalog's `x-cache` header (hit, miss, bypass) over the answers that carried one. */
  cache?: Record<string, number>
  /** The 429 answers, and how many of them said when to come back (a Retry-After of whole seconds ≥ 1). */
  rateLimited?: { answers: number, withRetryAfter: number }
  verdicts: Verdict[]
  passed: boolean
}

/**
 * Iterations per second offered: the count over the span from the first send to the last plus one
 * interval (n evenly spaced sends span (n - 1) intervals), so an exactly paced run reads as its rate.
 */
export function achievedRate (count: number, firstSentAt: number, lastSentAt: number, rate: number): number {
  if (count === 0 || Number.isNaN(firstSentAt)) return 0
  return count / ((lastSentAt - firstSentAt) / 1000 + 1 / rate)
}

/** What the run's answers tell as they come, beside the recorder's counts: when the last one came, the headers counted. */
interface RunTally {
  recorder: Recorder
  /** Iterations handed to the load so far. */
  sent: number
  lastAnswerAt: number
  cache: Record<string, number>
  rateLimited: { answers: number, withRetryAfter: number }
}

type OrderPoller = ReturnType<typeof createOrderPoller>

/**
 * Runs one scenario against the lab: open-model arrivals at the scenario's rate for its duration, each
 * iteration's requests as its flow says (for checkout, the polls to the final state too), then judges
 * its thresholds. The library entry point: `./lab load` prints what this returns, experiments read it.
 */
export async function runScenario (scenario: Scenario, options: RunOptions): Promise<LoadReport> {
  const startedAt = new Date()
  const tally: RunTally = { recorder: new Recorder(new Set(scenario.expectedStatuses)), sent: 0, lastAnswerAt: performance.now(), cache: {}, rateLimited: { answers: 0, withRetryAfter: 0 } }
  const setup = scenario.flow === 'flash-sale' ? await setFlashSaleStock(scenario, options) : undefined
  const poller = scenario.flow === 'checkout' ? followPlacedOrders(scenario, options, tally) : undefined
  const { load, settlements } = await sendLoad(scenario, options, tally, poller)
  return reportOf(scenario, options, { startedAt, setup, tally, load, settlements })
}

/** The flash sale's stock, set on inventory before the run; the line the report shows for it. */
async function setFlashSaleStock (scenario: Scenario, options: RunOptions): Promise<string> {
  if (options.inventoryUrl === undefined) throw new Error('the flash sale sets its stock on inventory: pass inventoryUrl')
  const params = scenario.params as unknown as FlashSaleParams
  const stock = await prepareFlashSaleStock(options.inventoryUrl, params)
  return `product ${String(params.productId)}: available ${stock.before} → ${stock.after} units (PUT ${options.inventoryUrl}/stock/${String(params.productId)})`
}

function recordAnswer (tally: RunTally, name: string, status: number, ms: number, body: string): void {
  tally.lastAnswerAt = performance.now()
  tally.recorder.answer(name, status, ms, body)
}

/** The checkout's polls of every placed order to its final state, counted like every other request. */
function followPlacedOrders (scenario: Scenario, options: RunOptions, tally: RunTally): OrderPoller {
  const params = scenario.params as Record<string, unknown>
  return createOrderPoller({
    baseUrl: options.baseUrl,
    intervalMs: Number(params.pollIntervalMs),
    finalTimeoutMs: Number(params.finalTimeoutMs),
    onAnswer: (req, status, ms, body) => { recordAnswer(tally, req.name, status, ms, body) },
    onNoAnswer: (req) => { tally.recorder.failure(req.name) }
  })
}

/** Calls `onProgress` about once a second until the returned function stops it. */
function reportProgressEverySecond (scenario: Scenario, options: RunOptions, tally: RunTally, poller: OrderPoller | undefined): () => void {
  const t0 = performance.now()
  let answersBefore = 0
  const ticker = setInterval(() => {
    const answered = tally.recorder.answered
    options.onProgress?.({
      phase: performance.now() - t0 > scenario.durationSeconds * 1000 ? 'settling' : 'load',
      elapsedSeconds: (performance.now() - t0) / 1000,
      sent: tally.sent,
      answered,
      lastSecond: answered - answersBefore,
      errors: tally.recorder.unexpected + tally.recorder.noAnswer,
      ...(poller === undefined ? {} : { pendingOrders: poller.pending() })
    })
    answersBefore = answered
  }, 1000)
  return () => { clearInterval(ticker) }
}

/** The paced load itself, each answer tallied (a placed order handed to the poller), then the orders followed to their end. */
async function sendLoad (scenario: Scenario, options: RunOptions, tally: RunTally, poller: OrderPoller | undefined): Promise<{ load: PacedLoadResult, settlements: Settlements | undefined }> {
  const stopProgress = reportProgressEverySecond(scenario, options, tally, poller)
  const next = createIterationRequest(scenario, { random: options.seed === undefined ? Math.random : seededRandom(options.seed), newKey: randomUUID })
  try {
    const load = await runPacedLoad({
      baseUrl: options.baseUrl,
      rate: scenario.rate,
      durationSeconds: scenario.durationSeconds,
      maxConnections: scenario.vus,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      next: () => { tally.sent++; return next() },
      onAnswer: (req, status, ms, body, sentAt, headers) => {
        recordAnswer(tally, req.name, status, ms, body)
        countHeader(tally.cache, headers['x-cache'])
        if (status === 429) countRetryAfter(tally.rateLimited, headers['retry-after'])
        // A 201 without an order id cannot be followed: it counts as unsettled, never as final.
        if (poller !== undefined && status === 201) poller.track(orderIdOf(body) ?? null, sentAt)
      },
      onNoAnswer: (req) => { tally.recorder.failure(req.name) }
    })
    const settlements = await poller?.drain(options.signal)
    return { load, settlements }
  } finally {
    stopProgress()
  }
}

interface RunOutcome {
  startedAt: Date
  setup: string | undefined
  tally: RunTally
  load: PacedLoadResult
  settlements: Settlements | undefined
}

/** The report of a finished run, its thresholds judged. */
function reportOf (scenario: Scenario, options: RunOptions, { startedAt, setup, tally, load, settlements }: RunOutcome): LoadReport {
  const { recorder, cache, rateLimited } = tally
  const figures = recorder.figures()
  const elapsedSeconds = Number.isNaN(load.firstSentAt) ? 0 : (tally.lastAnswerAt - load.firstSentAt) / 1000
  const checkout = settlements === undefined ? undefined : checkoutFigures(settlements, Number((scenario.params as Record<string, unknown>).pollIntervalMs))
  const verdicts = judgeThresholds(scenario, recorder, figures, checkout, elapsedSeconds)
  return {
    scenario,
    baseUrl: options.baseUrl,
    startedAt: startedAt.toISOString(),
    target: { rate: scenario.rate, durationSeconds: scenario.durationSeconds, iterations: scenario.rate * scenario.durationSeconds },
    connections: load.connections,
    iterations: { sent: load.sent, sentInWindow: load.sentInWindow, unfinished: load.unfinished },
    achievedRate: achievedRate(load.sent, load.firstSentAt, load.lastSentAt, scenario.rate),
    elapsedSeconds,
    answered: recorder.answered,
    errorRate: recorder.errorRate(),
    statuses: statusTotals(figures.requests),
    all: figures.all,
    requests: figures.requests,
    timeline: figures.timeline,
    ...(setup === undefined ? {} : { setup }),
    ...(checkout === undefined ? {} : { checkout }),
    ...(Object.keys(cache).length === 0 ? {} : { cache }),
    ...(rateLimited.answers === 0 ? {} : { rateLimited }),
    verdicts,
    passed: verdicts.every((v) => v.pass)
  }
}

function checkoutFigures (settlements: Settlements, pollIntervalMs: number): CheckoutFigures {
  const { tracked, confirmed, cancelled, unsettled, cancelReasons } = settlements
  return { tracked, confirmed, cancelled, unsettled, cancelReasons, pollIntervalMs, timeToFinal: summarizeLatencies(recordAll(settlements.timesToFinal)) }
}

/** Answers by plain status code (`409`), over the labels of every request (`409 ORDERS_OUT_OF_STOCK`). */
function statusTotals (requests: RequestFigures[]): Record<string, number> {
  const statuses: Record<string, number> = {}
  for (const r of requests) {
    for (const [label, n] of Object.entries(r.byStatus)) {
      const code = label.split(' ')[0] ?? label
      statuses[code] = (statuses[code] ?? 0) + n
    }
  }
  return statuses
}

function judgeThresholds (scenario: Scenario, recorder: Recorder, figures: ReturnType<Recorder['figures']>, checkout: CheckoutFigures | undefined, elapsedSeconds: number): Verdict[] {
  return evaluateThresholds(scenario.thresholds, {
    latency: (request) => request === undefined ? figures.all : figures.requests.find((r) => r.name === request)?.latency,
    ...(checkout === undefined ? {} : { timeToFinal: checkout.timeToFinal }),
    errorRate: recorder.errorRate(),
    ...(checkout === undefined ? {} : { unsettledRate: checkout.tracked === 0 ? Number.NaN : checkout.unsettled / checkout.tracked }),
    answered: recorder.answered,
    statusCount: (status) => recorder.statusCount(status),
    elapsedSeconds
  })
}

function orderIdOf (body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

function countHeader (counts: Record<string, number>, value: unknown): void {
  if (typeof value === 'string') counts[value] = (counts[value] ?? 0) + 1
}

/** @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after (delay-seconds; the lab's limiter never answers a date) */
function countRetryAfter (counts: { answers: number, withRetryAfter: number }, value: unknown): void {
  counts.answers++
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1) counts.withRetryAfter++
}

function recordAll (values: number[]): LatencyRecorder {
  const recorder = new LatencyRecorder()
  for (const v of values) recorder.record(v)
  return recorder
}
