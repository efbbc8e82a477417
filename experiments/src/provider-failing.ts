import { randomInt, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { loadScenario, runScenario, validateScenario, withOverrides, type LoadReport, type Scenario } from '@lab/load-tests'
import { scrapeSum } from './lab.js'
import { PAYMENTS, PAYMENTS_PROVIDER, providerFaults, providerRequests, setProviderFaults, type ProviderFaults } from './payments-provider.js'
import { withPatternOff } from './switches.js'
import type { Experiment } from './types.js'
import { atMost, exactly } from './verdict.js'
import { ledgerConsistency } from './payments-ledger.js'

const OPEN = 2
/** Checkout fails fast: an order's time to its final state, at p99, stays under the breaker's timeout (one provider call's). */
const FINAL_P99_BOUND_MS = PAYMENTS_PROVIDER.timeoutMs
/**
 * The breaker opens once failures reach its error threshold among at least its volume threshold of calls
 * in its rolling window: at the latest when the window holds nothing but failures, one window after the
 * fault began (plus a second for the 250 ms polling and the consumer's pace).
 */
const OPEN_BOUND_S = PAYMENTS_PROVIDER.breakerRollingWindowMs / 1000 + 1

/** Follows payments' provider breaker on its own /metrics every 250 ms. */
function watchBreaker () {
  const samples: Array<{ atMs: number, state: number }> = []
  const flag = { stopped: false }
  const done = (async () => {
    while (!flag.stopped) {
      try { samples.push({ atMs: Date.now(), state: await scrapeSum(PAYMENTS, 'circuit_breaker_state', { breaker: 'provider' }) }) } catch { /* restarting */ }
      await sleep(250)
    }
  })()
  return { samples, stop: async () => { flag.stopped = true; await done } }
}

/** Card orders through the gateway, one at a time, until one is confirmed (the breaker closes on a good probe). */
async function confirmedAgain (gateway: string, timeoutMs: number): Promise<{ confirmed: boolean, tries: number }> {
  const deadline = Date.now() + timeoutMs
  let tries = 0
  while (Date.now() < deadline) {
    tries++
    const res = await fetch(`${gateway}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ customerId: `c-${String(randomInt(1, 1001)).padStart(4, '0')}`, productId: randomInt(1, 9000), quantity: 1, paymentMethod: 'card' })
    })
    const order = await res.json() as { id?: string, status?: string }
    for (let polls = 0; res.status === 201 && order.id !== undefined && polls < 50; polls++) {
      await sleep(200)
      const now = await (await fetch(`${gateway}/orders/${order.id}`)).json() as { status?: string }
      if (now.status === 'confirmed') return { confirmed: true, tries }
      if (now.status === 'cancelled') break
    }
    await sleep(1000)
  }
  return { confirmed: false, tries }
}

/** Card orders placed in a stretch of time (orders' database: every client's, as the provider's counter is). */
async function cardOrdersPlaced (db: pg.Pool, fromMs: number, toMs: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE payment_method = 'card' AND created_at BETWEEN $1 AND $2", [new Date(fromMs).toISOString(), new Date(toMs).toISOString()])
  return rows[0]?.n ?? Number.NaN
}

/**
 * Cancelled orders placed since `fromMs` whose stock inventory still holds (reservation not released):
 * each service owns its database, so the order's reservation id is read from orders' and looked up in inventory's.
 * Orders releases a cancelled order's stock just after the cancellation commits (it records the release,
 * then makes it), so the last cancellations' releases may still be on their way: asked again until none
 * is held, for at most `settleMs`.
 */
async function cancelledStillReserved (orders: pg.Pool, inventory: pg.Pool, fromMs: number, settleMs = 10_000): Promise<{ cancelled: number, stillReserved: number }> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const { rows } = await orders.query<{ reservation_id: string }>("SELECT reservation_id FROM orders WHERE status = 'cancelled' AND created_at >= $1", [new Date(fromMs).toISOString()])
    const ids = rows.map((r) => r.reservation_id)
    const held = await inventory.query<{ n: number }>("SELECT count(*)::int AS n FROM reservations WHERE id = ANY($1::uuid[]) AND status = 'reserved'", [ids])
    const stillReserved = held.rows[0]?.n ?? Number.NaN
    if (stillReserved === 0 || Date.now() > deadline) return { cancelled: ids.length, stillReserved }
    await sleep(250)
  }
}

/** One column of the side-by-side: the fault's stretch, measured the same way with the breaker on and off. */
interface Column { orders: number, providerRequests: number, report: LoadReport }

const perOrder = (c: Column) => c.orders === 0 ? Number.NaN : Number((c.providerRequests / c.orders).toFixed(2))
const ms = (n: number | undefined) => n === undefined ? '?' : n.toFixed(0)

/** The provider failing every charge for `faultS` while `scenario`'s card checkouts run, starting `beforeS` into it; healed whatever happens. */
async function failingProvider (scenario: Scenario, opts: { gateway: string, db: pg.Pool, saved: ProviderFaults, beforeS: number, faultS: number, progress: (line: string) => void }) {
  const load = runScenario(scenario, { baseUrl: opts.gateway })
  let faultMs = Number.NaN
  let healMs = Number.NaN
  let requests = Number.NaN
  let report: LoadReport
  try {
    await sleep(opts.beforeS * 1000)
    const before = await providerRequests()
    await setProviderFaults({ ...opts.saved, errorRate: 1 })
    faultMs = Date.now()
    opts.progress('provider errors 100%')
    try {
      await sleep(opts.faultS * 1000)
    } finally {
      await setProviderFaults(opts.saved)
      healMs = Date.now()
      requests = await providerRequests() - before
      opts.progress(`provider healed (${JSON.stringify(opts.saved)})`)
    }
  } finally {
    report = await load
  }
  const column: Column = { orders: await cardOrdersPlaced(opts.db, faultMs, healMs), providerRequests: requests, report }
  return { faultMs, healMs, column }
}

export const providerFailing: Experiment = {
  id: 4,
  name: 'provider-failing',
  title: 'The payment provider failing every charge',
  hypothesis: `With the provider answering every charge with an error for 30 s under card checkouts, payments' provider breaker opens within its rolling window (≤ ${OPEN_BOUND_S} s), checkout fails fast (time to the final state p99 ≤ ${FINAL_P99_BOUND_MS / 1000} s, the breaker's timeout: cancelled, its stock released), no money is created or lost (the ledger matches the wallets), and once the provider heals, card orders are confirmed again. With the breaker switched off, every order still sends its charge to the failing provider: at least twice the provider requests per order.`,
  fault: 'the provider\'s error rate set to 100% through the gateway\'s admin API (./lab chaos provider errors 100%), put back to what it was afterwards; then the same with payments\' breaker-provider switch off',
  async run ({ short, urls, progress }) {
    const base = loadScenario('checkout')
    const beforeS = short ? 4 : 10
    // Long enough in the short run too for the open breaker to refuse most of the fault's orders.
    const faultS = short ? 15 : 30
    const afterS = short ? 6 : 20
    const offS = short ? 6 : 20
    const card = (durationSeconds: number) => validateScenario({ ...withOverrides(base, { rate: 5, durationSeconds }), params: { ...base.params, paymentMethod: 'card' } }, base.name)
    const saved = await providerFaults()
    const ordersDb = new pg.Pool({ connectionString: urls.postgres('orders'), max: 1 })
    const inventoryDb = new pg.Pool({ connectionString: urls.postgres('inventory'), max: 1 })
    const runStartMs = Date.now()
    try {
      const breaker = watchBreaker()
      progress(`breaker on: card checkouts at 5/s for ${beforeS + faultS + afterS} s; provider failing from ${beforeS} s for ${faultS} s`)
      const on = await failingProvider(card(beforeS + faultS + afterS), { gateway: urls.gateway, db: ordersDb, saved, beforeS, faultS, progress }).finally(async () => { await breaker.stop() })
      progress('card orders until one is confirmed again')
      const again = await confirmedAgain(urls.gateway, 40_000)
      progress(`breaker off (./lab chaos switch breaker-provider off): card checkouts at 5/s for ${offS} s, the provider failing from the first second`)
      const off = await withPatternOff('payments', 'breaker-provider', async () => await failingProvider(card(offS + 1), { gateway: urls.gateway, db: ordersDb, saved, beforeS: 0.5, faultS: offS, progress }))
      const stock = await cancelledStillReserved(ordersDb, inventoryDb, runStartMs)
      const ledger = await ledgerConsistency(urls.gateway)
      const opened = breaker.samples.find((s) => s.atMs >= on.faultMs && s.atMs <= on.healMs + 1000 && s.state === OPEN)
      const checkout = on.column.report.checkout
      const offCheckout = off.column.report.checkout
      const place = (r: LoadReport) => r.requests.find((q) => q.name === 'place')?.latency
      return {
        verdicts: [
          atMost('provider breaker open after the fault began', opened === undefined ? Number.NaN : Number(((opened.atMs - on.faultMs) / 1000).toFixed(2)), OPEN_BOUND_S, 's'),
          atMost('breaker on: time to final state, p99 (under the breaker\'s timeout)', Number((checkout?.timeToFinal.p99 ?? Number.NaN).toFixed(0)), FINAL_P99_BOUND_MS, 'ms'),
          exactly('orders without a final state (both columns)', (checkout?.unsettled ?? Number.NaN) + (offCheckout?.unsettled ?? Number.NaN), 0),
          exactly('cancelled orders whose stock inventory still holds (SQL, orders → inventory)', stock.stillReserved, 0),
          exactly('money conserved (ledger total − seeded, cents)', ledger.walletsMatchingLedger && ledger.unbalancedTransfers === 0 ? ledger.totalCents - ledger.seededCents : Number.NaN, 0),
          exactly('a card order confirmed again after healing', again.confirmed ? 1 : 0, 1),
          atMost('breaker on: provider requests per order while failing, at most half of breaker off\'s', perOrder(on.column), Number((perOrder(off.column) / 2).toFixed(2)))
        ],
        figures: [
          { label: 'orders (breaker on)', value: `${checkout?.tracked ?? 0} placed: ${checkout?.confirmed ?? 0} confirmed, ${checkout?.cancelled ?? 0} cancelled (${Object.entries(checkout?.cancelReasons ?? {}).map(([r, n]) => `${r} ${n}`).join(', ') || 'no reasons'}), ${checkout?.unsettled ?? 0} unsettled` },
          { label: 'POST /orders p50 / p99 (breaker on)', value: `${place(on.column.report)?.p50.toFixed(1) ?? '?'} / ${place(on.column.report)?.p99.toFixed(1) ?? '?'} ms` },
          { label: 'time to final state p50 / p99 (breaker on)', value: `${ms(checkout?.timeToFinal.p50)} / ${ms(checkout?.timeToFinal.p99)} ms` },
          { label: 'stock', value: `${stock.cancelled} orders cancelled since the run began (all clients), ${stock.stillReserved} of them still holding their reservation` },
          { label: 'confirmed again', value: `${again.confirmed ? 'yes' : 'no'}, after ${again.tries} card order(s) placed after the load` }
        ],
        sideBySide: [{
          title: 'The provider failing: the breaker on and off',
          columns: ['breaker on', 'breaker off'],
          rows: [
            { label: 'card orders placed while the provider failed', values: [on.column, off.column].map((c) => String(c.orders)) },
            { label: 'charge requests the failing provider got', values: [on.column, off.column].map((c) => String(c.providerRequests)) },
            { label: 'provider requests per order', values: [on.column, off.column].map((c) => String(perOrder(c))) },
            { label: 'time to final state p50 / p99', values: [checkout, offCheckout].map((c) => `${ms(c?.timeToFinal.p50)} / ${ms(c?.timeToFinal.p99)} ms`) },
            { label: 'cancelled / confirmed / unsettled', values: [checkout, offCheckout].map((c) => `${c?.cancelled ?? '?'} / ${c?.confirmed ?? '?'} / ${c?.unsettled ?? '?'}`) }
          ]
        }],
        windows: [{ label: 'provider failing (breaker on)', startMs: on.faultMs, endMs: on.healMs }, { label: 'provider failing (breaker off)', startMs: off.faultMs, endMs: off.healMs }],
        panels: [
          {
            title: 'Payments → provider calls',
            unit: 'per second',
            series: [
              { name: 'accepted', promql: 'sum(rate(payments_provider_calls_total{result="accepted"}[10s]))' },
              { name: 'error', promql: 'sum(rate(payments_provider_calls_total{result="error"}[10s]))' },
              { name: 'refused by the open breaker', promql: 'sum(rate(payments_provider_calls_total{result="breaker_open"}[10s]))' }
            ]
          },
          { title: 'Provider breaker (0 closed, 1 half-open, 2 open)', unit: 'state', series: [{ name: 'payments', promql: 'max(circuit_breaker_state{job="payments",breaker="provider"})' }] }
        ],
        notes: [
          'Breaker times come from payments\' own /metrics polled every 250 ms; the chart is Prometheus\' (5 s scrapes, 10 s rates).',
          `The breaker-on column's time to final state covers its whole load (before, during and after the fault); the off column is the fault's stretch alone. With the breaker off the retry budget still caps the retries (about ${PAYMENTS_PROVIDER.budgetRatio} per charge past its floor), so the difference is the first call of every charge, which the open breaker refuses without asking the provider.`,
          'Orders per column and the stock check are read from orders\' and inventory\'s databases over the run\'s time: other clients\' card orders in that time count too.',
          'Money is checked with GET /payments/ledger/consistency (the wallets against the ledger, over the whole lab).'
        ]
      }
    } finally {
      await Promise.all([ordersDb.end(), inventoryDb.end()])
    }
  }
}
