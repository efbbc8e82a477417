import { randomInt, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { scrapeSum } from './lab.js'
import { PAYMENTS, PAYMENTS_PROVIDER, providerFaults, providerRequests, setProviderFaults } from './payments-provider.js'
import { withPatternOff } from './switches.js'
import type { Experiment, Verdict } from './types.js'
import { atLeast, atMost } from './verdict.js'

const MAX_ATTEMPTS = PAYMENTS_PROVIDER.maxAttempts
const TIMEOUT_MS = PAYMENTS_PROVIDER.timeoutMs
/** Slower than payments' timeout: every call times out and is retried (the charge still happens, so orders settle by callback). */
const SLOW_MS = 2500
/** Longest wait for a column's orders to be charged after its load (each charge ~6 s with every attempt timing out). */
const DRAIN_TIMEOUT_MS = 120_000
const BUDGET_RATIO = PAYMENTS_PROVIDER.budgetRatio
const BUDGET_MIN_PER_SECOND = PAYMENTS_PROVIDER.budgetMinPerSecond
const BUDGET_WINDOW_S = PAYMENTS_PROVIDER.budgetWindowMs / 1000

interface Phase { drainedMs: number, orders: number, placed: number, seconds: number, charges: number, calls: number, retries: number, denied: number, retryWaitMs: number, providerRequests: number }

/** The counters a phase is measured by: payments' own (calls it sent, charges, retry waits) and the provider's (requests it answered). */
async function counters () {
  const [charges, calls, refused, waitCount, waitSum, denied, provider] = await Promise.all([
    scrapeSum(PAYMENTS, 'payments_provider_charge_duration_seconds_count'),
    scrapeSum(PAYMENTS, 'payments_provider_calls_total'),
    scrapeSum(PAYMENTS, 'payments_provider_calls_total', { result: 'breaker_open' }),
    scrapeSum(PAYMENTS, 'payments_provider_retry_delay_seconds_count'),
    scrapeSum(PAYMENTS, 'payments_provider_retry_delay_seconds_sum'),
    scrapeSum(PAYMENTS, 'payments_provider_retries_total', { outcome: 'denied_budget' }),
    providerRequests()
  ])
  return { charges, calls: calls - refused, retries: waitCount, denied, waitS: waitSum, providerRequests: provider }
}

/** Card orders through the gateway at a steady rate (open model: one every 1/rate s, whatever the answers take). */
async function steadyCardOrders (gateway: string, rate: number, seconds: number): Promise<{ orders: number, placed: number }> {
  const sends: Array<Promise<boolean>> = []
  const start = Date.now()
  for (let i = 0; i < Math.round(rate * seconds); i++) {
    const due = start + (i * 1000) / rate
    if (due > Date.now()) await sleep(due - Date.now())
    sends.push(fetch(`${gateway}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ customerId: `c-${String(randomInt(1, 1001)).padStart(4, '0')}`, productId: randomInt(1, 9000), quantity: 1, paymentMethod: 'card' }),
      signal: AbortSignal.timeout(10_000)
    }).then(async (res) => { await res.body?.cancel(); return res.status === 201 }, () => false))
  }
  const answers = await Promise.all(sends)
  return { orders: answers.length, placed: answers.filter(Boolean).length }
}

/** One column: the load for `seconds`, then the retries of its last orders drained, measured on the counters' increase. */
async function measure (gateway: string, rate: number, seconds: number): Promise<Phase> {
  const before = await counters()
  const started = Date.now()
  const { orders, placed } = await steadyCardOrders(gateway, rate, seconds)
  // A slow provider queues the charges (at most CHARGE_WORKER_CONCURRENCY at once): wait until every
  // placed order was charged (all its attempts made), then for the provider's late answers.
  const deadline = Date.now() + DRAIN_TIMEOUT_MS
  while ((await counters()).charges - before.charges < placed && Date.now() < deadline) await sleep(500)
  await sleep(SLOW_MS + 500)
  const after = await counters()
  const retries = after.retries - before.retries
  return {
    drainedMs: Date.now() - started,
    orders,
    placed,
    seconds,
    charges: after.charges - before.charges,
    calls: after.calls - before.calls,
    retries,
    denied: after.denied - before.denied,
    retryWaitMs: retries === 0 ? Number.NaN : ((after.waitS - before.waitS) * 1000) / retries,
    providerRequests: after.providerRequests - before.providerRequests
  }
}

const perCharge = (p: Phase, n: number) => p.charges === 0 ? Number.NaN : Number((n / p.charges).toFixed(2))
/** Over the whole column, drain included: the rate the provider actually saw. */
const perSecond = (n: number, p: Phase) => (n / (p.drainedMs / 1000)).toFixed(2)
/**
 * The most retries per order the budget lets through over a column: its ratio, plus its floor over the
 * column's length and one window more (a window reaching back before the column starts), plus 0.1 for
 * the charges of the column before still in that window.
 */
const budgetCeiling = (p: Phase) => Number((BUDGET_RATIO + (BUDGET_MIN_PER_SECOND * (p.drainedMs / 1000 + BUDGET_WINDOW_S)) / p.charges + 0.1).toFixed(2))

export const retryStorm: Experiment = {
  id: 9,
  name: 'retry-storm',
  title: 'Retry storm: a slow provider, naive retries against backoff with jitter, and a retry budget',
  hypothesis: `With the provider slower than payments' ${TIMEOUT_MS / 1000} s timeout under steady card checkouts, every charge is retried up to ${MAX_ATTEMPTS} attempts in both policies (bounded: at most ${MAX_ATTEMPTS} provider requests per order, so the retries add up to ${MAX_ATTEMPTS - 1}× the order rate); naive retries go out at once (mean wait ≤ 1 ms) while backoff waits a jittered delay (mean ≥ 25 ms). A retry budget (retries ≤ ${BUDGET_RATIO * 100}% of the recent charges + ${BUDGET_MIN_PER_SECOND}/s) is what lowers the added load: about ${BUDGET_RATIO} retries per order instead of ${MAX_ATTEMPTS - 1}. The provider breaker is switched off in every column so the retry policy alone is compared.`,
  fault: `the provider's latency set to ${SLOW_MS} ms (./lab chaos provider slow ${SLOW_MS}), payments' breaker-provider switch off, its retry-budget switch off in the first two columns and retry-backoff off in the first; all put back afterwards`,
  async run ({ short, urls, progress }) {
    // Chosen under the consumer's throughput when it charged inside its batches (3 partitions / ~6 s a
    // charge = 0.5 charges/s; at 1/s a consumer busy for minutes on one batch was seen dropped from its
    // group, 2026-12-02). The charge worker makes 8 at once now; the rates are kept, so the figures compare.
    const rate = short ? 0.5 : 0.4
    const seconds = short ? 10 : 30
    const saved = await providerFaults()
    const startMs = Date.now()
    const [naive, backoff, budget] = await withPatternOff('payments', 'breaker-provider', async () => {
      await setProviderFaults({ ...saved, latencyMs: SLOW_MS })
      progress(`provider slowed to ${SLOW_MS} ms; card orders at ${rate}/s for ${seconds} s per column`)
      try {
        const [naivePhase, backoffPhase] = await withPatternOff('payments', 'retry-budget', async () => {
          const naivePhase = await withPatternOff('payments', 'retry-backoff', async () => {
            progress('naive immediate retries (retry-backoff off, retry-budget off)')
            return await measure(urls.gateway, rate, seconds)
          })
          progress('backoff with full jitter (retry-backoff on, retry-budget off)')
          return [naivePhase, await measure(urls.gateway, rate, seconds)]
        })
        progress('backoff + retry budget (retry-backoff on, retry-budget on)')
        return [naivePhase, backoffPhase, await measure(urls.gateway, rate, seconds)]
      } finally {
        await setProviderFaults(saved)
        progress(`provider restored (${JSON.stringify(saved)})`)
      }
    })
    const endMs = Date.now()
    const columns = [naive, backoff, budget]
    const bounded = (label: string, p: Phase): Verdict => atMost(`${label}: provider requests per order (payments' calls)`, perCharge(p, p.calls), MAX_ATTEMPTS)
    return {
      verdicts: [
        atLeast('naive: the retries add load, provider requests per order', perCharge(naive, naive.calls), 2),
        bounded('naive', naive),
        bounded('backoff', backoff),
        atMost('backoff + budget: retries per order (the budget\'s ratio + its floor over the column + 0.1)', perCharge(budget, budget.retries), budgetCeiling(budget)),
        atMost('backoff + budget: provider requests per order, at least 1 under backoff alone', perCharge(budget, budget.calls), perCharge(backoff, backoff.calls) - 1),
        atMost('naive: mean wait before a retry', Number(naive.retryWaitMs.toFixed(1)), 1, 'ms'),
        atLeast('backoff: mean wait before a retry', Number(backoff.retryWaitMs.toFixed(1)), 25, 'ms')
      ],
      figures: [
        { label: 'orders sent per column', value: `${naive.orders} (naive, ${naive.placed} placed) / ${backoff.orders} (backoff, ${backoff.placed} placed) / ${budget.orders} (budget, ${budget.placed} placed) at ${rate}/s for ${seconds} s` },
        { label: 'provider slowed to', value: `${SLOW_MS} ms, payments' timeout ${TIMEOUT_MS} ms, ${MAX_ATTEMPTS} attempts per charge` },
        { label: 'retry budget', value: `retries ≤ ${BUDGET_RATIO} × charges + ${BUDGET_MIN_PER_SECOND}/s over a ${BUDGET_WINDOW_S} s window` },
        { label: 'column length with the drain (naive / backoff / budget)', value: [naive, backoff, budget].map((p) => `${(p.drainedMs / 1000).toFixed(1)} s`).join(' / ') }
      ],
      sideBySide: [{
        title: 'The load the retries add',
        columns: ['naive immediate retries', 'backoff with full jitter', 'backoff + retry budget'],
        rows: [
          { label: 'charges (payments)', values: columns.map((p) => String(p.charges)) },
          { label: 'provider calls sent (payments)', values: columns.map((p) => String(p.calls)) },
          { label: 'provider requests answered (provider)', values: columns.map((p) => String(p.providerRequests)) },
          { label: 'provider calls per order', values: columns.map((p) => String(perCharge(p, p.calls))) },
          { label: 'retries per order (made / denied by the budget)', values: columns.map((p) => `${perCharge(p, p.retries)} / ${perCharge(p, p.denied)}`) },
          { label: 'provider calls/s against orders/s', values: columns.map((p) => `${perSecond(p.calls, p)} / ${perSecond(p.charges, p)}`) },
          { label: 'mean wait before a retry', values: columns.map((p) => `${p.retryWaitMs.toFixed(1)} ms`) }
        ]
      }],
      windows: [{ label: 'provider slow (naive, then backoff, then backoff + budget)', startMs, endMs }],
      panels: [
        {
          title: 'Payments → provider calls',
          unit: 'per second',
          series: [
            { name: 'calls (all results)', promql: 'sum(rate(payments_provider_calls_total{result!="breaker_open"}[10s]))' },
            { name: 'retries', promql: 'sum(rate(payments_provider_retries_total{outcome="allowed"}[10s]))' },
            { name: 'retries denied by the budget', promql: 'sum(rate(payments_provider_retries_total{outcome="denied_budget"}[10s]))' },
            { name: 'charges (orders)', promql: 'sum(rate(payments_provider_charge_duration_seconds_count[10s]))' }
          ]
        }
      ],
      notes: [
        `Both columns make the same number of attempts (${MAX_ATTEMPTS}): with a bounded count, backoff does not lower the requests per order, it spaces them (the wait row), so retries of charges that failed together do not hit the provider together. What lowers the amplification is the retry budget (third column): past its share of the recent charges a failed call is not retried, so the provider sees about one request per order plus the budget's ratio, whatever the failure rate; the breaker (experiment 4), switched off here, stops calls altogether.`,
        'Counts are the increase of payments\' and the provider\'s own counters over each column plus a drain of the last orders\' attempts; other traffic on the shared lab in that time is counted too.',
        'The provider keeps working after payments gave up on a call (as a slow real one would): the charges happen, orders settle by callback or the reconciler.'
      ]
    }
  }
}
