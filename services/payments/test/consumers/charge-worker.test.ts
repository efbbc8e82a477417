import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown, tempDatabase, type TestDatabase } from '@lab/testkit'
import type { Envelope } from '@lab/messaging'
import {
  dbPool, eventually, metricValue, orderPlaced, orderProducer, paymentsEnv, startPayments, startProvider, type Provider, type Running
} from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'
import { claimDueCharges } from '../../src/db/charge-requests.js'

/** The provider's latency while card charges are in flight: under payments' timeout here (3 s), so they are accepted, slowly. */
const SLOW_MS = 1500
/** A transaction open longer than this while the provider answers would be one waiting on it. */
const LONG_TX_MS = 500
/** The lease of the test's own "crashed" claims. */
const LEASE_MS = 1500

let db: TestDatabase
let pool: pg.Pool
let provider: Provider
let env: Record<string, string>
let send: Awaited<ReturnType<typeof orderProducer>>['send']
const apps: Running[] = []
let customer = 0

beforeAllWithTeardown(async () => {
  db = await tempDatabase('payments_worker')
  pool = dbPool(db)
  provider = await startProvider()
  // Four charges at a time per worker: with two workers, both take part in the race below.
  env = paymentsEnv(db, { PROVIDER_URL: provider.url, PROVIDER_TIMEOUT_MS: '3000', CHARGE_WORKER_CONCURRENCY: '4' })
  apps.push(await startPayments(env))
  ;({ send } = await orderProducer(env.TOPIC_PREFIX as string))
  // The consumer has joined its group once a first order is charged: timings below start after that.
  const warmUp = orderPlaced('c-0020', 100)
  await send('ordersPlaced', warmUp)
  await eventually(async () => (await statusOf([warmUp]))[0] === 'succeeded', 30_000, 'the warm-up order')
})

const payments = () => apps[0] as Running
const nextCustomer = () => `c-${String((customer++ % 19) + 1).padStart(4, '0')}`
const cardOrders = (n: number) => Array.from({ length: n }, () => orderPlaced(nextCustomer(), 1500, 'card'))
const walletOrders = (n: number) => Array.from({ length: n }, () => orderPlaced(nextCustomer(), 250))
const callsFor = (paymentId: string) => provider.chargeCalls.filter((c) => c.chargeId === paymentId).length

async function statusOf (orders: Envelope[]): Promise<string[]> {
  const ids = orders.map((o) => paymentIdForOrder((o.data as { orderId: string }).orderId))
  const { rows } = await pool.query<{ id: string, status: string }>('SELECT id, status FROM payments WHERE id = ANY($1)', [ids])
  const byId = new Map(rows.map((r) => [r.id, r.status]))
  return ids.map((id) => byId.get(id) ?? 'none')
}

/** Milliseconds from `since` until every payment of `orders` succeeded. */
async function succeededAfter (orders: Envelope[], since: number): Promise<number> {
  await eventually(async () => (await statusOf(orders)).every((s) => s === 'succeeded'), 30_000, `${orders.length} payments to succeed`)
  return performance.now() - since
}

/**
 * Runs `during` while sampling this database's sessions every 25 ms: the most that had a transaction
 * open for longer than LONG_TX_MS at once (pg_stat_activity.xact_start), whatever their state.
 */
async function longTransactionsDuring<T> (during: () => Promise<T>): Promise<{ value: T, most: number }> {
  let most = 0
  const flag = { done: false }
  const sampling = (async () => {
    while (!flag.done) {
      const { rows } = await pool.query<{ n: number }>(`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND xact_start < clock_timestamp() - make_interval(secs => $2::float8 / 1000)`, [db.name, LONG_TX_MS])
      most = Math.max(most, rows[0]?.n ?? 0)
      await sleep(25)
    }
  })()
  try {
    return { value: await during(), most }
  } finally {
    flag.done = true
    await sampling
  }
}

/** Card orders, then wallet orders behind them on the same partitions; how long each kind took to succeed. */
async function mixedOrders (): Promise<{ walletsMs: number, cardsMs: number }> {
  const cards = cardOrders(4)
  const wallets = walletOrders(6)
  const sent = performance.now()
  for (const order of [...cards, ...wallets]) await send('ordersPlaced', order)
  const [walletsMs, cardsMs] = await Promise.all([succeededAfter(wallets, sent), succeededAfter(cards, sent)])
  return { walletsMs, cardsMs }
}

/**
 * A card order whose charge a worker claimed and then died with (the test's own claim, LEASE_MS): the
 * app's worker is stopped meanwhile, so the claim is the test's; the caller starts it again.
 */
async function crashedClaim () {
  await payments().app.chargeWorker.stop()
  const order = orderPlaced(nextCustomer(), 1500, 'card')
  const paymentId = paymentIdForOrder(order.data.orderId)
  await send('ordersPlaced', order)
  await eventually(async () => (await pool.query('SELECT 1 FROM payments WHERE id = $1 AND charge_due_at IS NOT NULL', [paymentId])).rowCount === 1, 20_000, 'the charge recorded as due')
  const [crashed] = await claimDueCharges(pool, { limit: 1, leaseMs: LEASE_MS })
  expect(crashed?.payment.id).toBe(paymentId)
  return { order, paymentId }
}

describe('the charge worker: card charges outside any transaction', () => {
  it('holds no database transaction open while a slow provider answers, and wallet orders settle meanwhile', async () => {
    await provider.setFaults({ latencyMs: SLOW_MS })
    const outcomesBefore = await metricValue(payments().registry, 'payments_charge_outcomes_total')
    const { value, most } = await longTransactionsDuring(mixedOrders)
    expect(most).toBe(0)
    expect(value.cardsMs).toBeGreaterThanOrEqual(SLOW_MS)
    // Behind the card charges on their partitions, yet done before the provider answered any of them.
    expect(value.walletsMs).toBeLessThan(SLOW_MS)
    // The worker made all four (accepted, or superseded when the provider's callback settled one first:
    // then the worker's own settlement may still be committing).
    await eventually(async () => await metricValue(payments().registry, 'payments_charge_outcomes_total') - outcomesBefore === 4, 5000, 'four outcomes')
    expect(await metricValue(payments().registry, 'payments_charges_due')).toBe(0)
  }, 60_000)

  it('with charge-worker off (the provider called in the consumer\'s transaction), the same probe sees that transaction held open', async () => {
    const off = await payments().app.inject({ method: 'PUT', url: '/admin/switches', payload: { 'charge-worker': false } })
    expect(off.json()).toMatchObject({ 'charge-worker': false })
    try {
      await provider.setFaults({ latencyMs: SLOW_MS })
      const { value, most } = await longTransactionsDuring(mixedOrders)
      expect(most).toBeGreaterThanOrEqual(1)
      expect(value.cardsMs).toBeGreaterThanOrEqual(SLOW_MS)
    } finally {
      await payments().app.inject({ method: 'DELETE', url: '/admin/switches' })
    }
  }, 60_000)

  it('makes a charge whose worker crashed before calling the provider once its claim expires, once', async () => {
    await provider.setFaults({ latencyMs: 0 })
    // A worker claims it and dies before calling the provider: its lease runs on.
    const { order, paymentId } = await crashedClaim()
    const claimedAt = performance.now()
    const againBefore = await metricValue(payments().registry, 'payments_charge_claims_total', { claim: 'again' })
    payments().app.chargeWorker.start()
    await sleep(LEASE_MS / 2)
    expect(callsFor(paymentId)).toBe(0)

    await eventually(async () => (await statusOf([order]))[0] === 'succeeded', 20_000, 'the charge made after the lease')
    expect(performance.now() - claimedAt).toBeGreaterThanOrEqual(LEASE_MS)
    expect(callsFor(paymentId)).toBe(1)
    expect(await metricValue(payments().registry, 'payments_charge_claims_total', { claim: 'again' })).toBe(againBefore + 1)
    // The second claim ended (its settlement may commit just after the callback's).
    const row = async () => (await pool.query<{ charge_claims: number, charge_due_at: Date | null }>('SELECT charge_claims, charge_due_at FROM payments WHERE id = $1', [paymentId])).rows[0]
    expect(await eventually(async () => { const r = await row(); return r?.charge_due_at === null ? r : undefined }, 5000, 'the claim ended')).toEqual({ charge_claims: 2, charge_due_at: null })
  }, 40_000)

  it('does not charge again a charge whose worker crashed after the provider took it: the callback settles it', async () => {
    const { order, paymentId } = await crashedClaim()
    // The crashed worker's call, as the worker makes it, reached the provider before the crash.
    const res = await fetch(new URL('/charges', provider.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chargeId: paymentId, amountCents: order.data.amountCents, currency: 'EUR', callbackUrl: payments().app.payments.callbackUrl() })
    })
    expect(res.status).toBe(202)
    await eventually(async () => (await statusOf([order]))[0] === 'succeeded', 20_000, 'the callback to settle the payment')

    const claimsBefore = await metricValue(payments().registry, 'payments_charge_claims_total')
    payments().app.chargeWorker.start()
    await sleep(LEASE_MS + 1500)
    expect(callsFor(paymentId)).toBe(1)
    expect(await metricValue(payments().registry, 'payments_charge_claims_total')).toBe(claimsBefore)
  }, 40_000)

  it('never lets two workers make the same charge: the provider sees one call per charge', async () => {
    apps.push(await startPayments(env))
    await provider.setFaults({ latencyMs: 100 })
    await Promise.all(apps.map(async (app) => { await app.app.chargeWorker.stop() }))
    const orders = cardOrders(24)
    for (const order of orders) await send('ordersPlaced', order)
    await eventually(async () => await metricValue(payments().registry, 'payments_charges_due', { state: 'waiting' }) === orders.length, 30_000, 'every charge recorded as due')

    const claims = async (claim: 'first' | 'again') => await Promise.all(apps.map(async (app) => await metricValue(app.registry, 'payments_charge_claims_total', { claim })))
    const [firstBefore, againBefore] = [await claims('first'), await claims('again')]
    for (const app of apps) app.app.chargeWorker.start()
    await succeededAfter(orders, performance.now())

    for (const order of orders) expect(callsFor(paymentIdForOrder(order.data.orderId))).toBe(1)
    const claimed = (await claims('first')).map((n, i) => n - (firstBefore[i] as number))
    expect(claimed.reduce((a, b) => a + b, 0)).toBe(orders.length)
    expect(claimed.every((n) => n > 0)).toBe(true)
    expect(await claims('again')).toEqual(againBefore)
    expect(await metricValue(payments().registry, 'payments_charges_due')).toBe(0)
  }, 60_000)
})
