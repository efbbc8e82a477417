import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown, tempDatabase, untilFileEnds } from '@lab/testkit'
import type { Envelope } from '@lab/messaging'
import {
  collectPaymentEvents, dbPool, eventually, metricValue, orderCancelled, orderPlaced, orderProducer, paymentsEnv,
  SEED_BALANCE_CENTS, SEED_WALLETS, startPayments, startProvider, type OrderProducer, type Provider, type Running
} from '../build.js'
import { TOPICS } from '../../src/events.js'

let pool: pg.Pool
let provider: Provider
let env: Record<string, string>
let send: OrderProducer['send']
let reader: Awaited<ReturnType<typeof collectPaymentEvents>>
/** The payments instances, started by the first test: the second one serves the tests after it. */
const apps: Running[] = []

const TOTAL = SEED_WALLETS * SEED_BALANCE_CENTS

// Payments itself is started by the tests, crash and all: the rest is here.
beforeAllWithTeardown(async () => {
  const db = await tempDatabase('payments_once')
  pool = dbPool(db)
  provider = await startProvider()
  env = paymentsEnv(db, { PROVIDER_URL: provider.url })
  ;({ send } = await orderProducer(env.TOPIC_PREFIX as string))
  reader = await collectPaymentEvents(env.TOPIC_PREFIX as string)
})

async function consistency () {
  const app = apps.at(-1) as Running
  return (await app.app.inject({ method: 'GET', url: '/ledger/consistency' })).json()
}

/** orderId → number of ledger transfers of `kind` that name it. */
async function transfersPerOrder (kind: 'charge' | 'refund'): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ reference: string, n: number }>(
    'SELECT reference, count(DISTINCT transfer_id)::int AS n FROM ledger_entries WHERE kind = $1 GROUP BY reference', [kind])
  return new Map(rows.map((r) => [r.reference.replace('order:', ''), r.n]))
}

async function finalPayments (orderIds: string[]): Promise<Map<string, { status: string, reason: string | null }> | undefined> {
  const { rows } = await pool.query<{ order_id: string, status: string, reason: string | null }>(
    "SELECT order_id, status, reason FROM payments WHERE order_id = ANY($1) AND status <> 'pending'", [orderIds])
  return rows.length === orderIds.length ? new Map(rows.map((r) => [r.order_id, r])) : undefined
}

/** Distinct events per order (the relay delivers at least once, so the topic may repeat an id). */
function eventsFor (orderId: string): Envelope[] {
  return [...new Map(reader.events.filter((e) => e.key === orderId).map((e) => [e.id, e])).values()]
}

describe('the payment consumer charges each order exactly once', () => {
  it('survives every event twice and a crash between the effect and the offset commit', async () => {
    // Orders: 24 by wallet on 8 customers, 2 that overdraw, 4 by card.
    const wallet = Array.from({ length: 24 }, (_, i) => orderPlaced(`c-${String((i % 8) + 1).padStart(4, '0')}`, 1000 + i * 37))
    const overdraw = [orderPlaced('c-0009', SEED_BALANCE_CENTS + 1), orderPlaced('c-0010', SEED_BALANCE_CENTS * 2)]
    const card = Array.from({ length: 4 }, (_, i) => orderPlaced(`c-00${11 + i}`, 4999, 'card'))
    const orders = [...wallet, ...overdraw, ...card]

    // The first instance dies right after committing the batch that holds its 7th effect, before
    // committing that batch's offset.
    let processed = 0
    let crashed!: () => void
    const crash = new Promise<void>((resolve) => { crashed = resolve })
    apps.push(await startPayments(env, {
      consumerHooks: {
        onBatchApplied: async ({ envelopes }) => {
          const before = processed
          processed += envelopes.length
          if (before >= 7 || processed < 7) return
          crashed()
          throw new Error('killed between the effect and the offset commit')
        }
      }
    }))
    for (const order of orders) {
      await send('ordersPlaced', order)
      await send('ordersPlaced', order) // every event twice
    }
    await crash
    await (apps[0] as Running).close()

    // A new instance in the same group picks up from the last committed offsets: it sees the crashed
    // message again (and every duplicate), and must apply none of them twice. It serves the next tests too.
    apps.push(await untilFileEnds(async () => await startPayments(env)))
    const outcome = await eventually(async () => await finalPayments(orders.map((o) => o.data.orderId)), 40_000, 'every payment final')

    for (const order of wallet) expect(outcome.get(order.data.orderId)?.status).toBe('succeeded')
    for (const order of overdraw) expect(outcome.get(order.data.orderId)).toEqual(expect.objectContaining({ status: 'failed', reason: 'insufficient_funds' }))
    for (const order of card) expect(outcome.get(order.data.orderId)?.status).toBe('succeeded')

    const charges = await transfersPerOrder('charge')
    for (const order of wallet) expect(charges.get(order.data.orderId)).toBe(1)
    expect(charges.size).toBe(wallet.length) // no charge for the overdrafts, none for cards (charged outside)
    const charged = wallet.reduce((sum, o) => sum + o.data.amountCents, 0)
    expect((await pool.query("SELECT balance_cents::int AS b FROM wallets WHERE id = 'merchant'")).rows[0]?.b).toBe(charged)
    // The provider took each card charge once, however often it was asked.
    expect(await provider.metric('provider_charges_total', { outcome: 'accepted' })).toBe(card.length)

    expect(await consistency()).toEqual({ totalCents: TOTAL, seededCents: TOTAL, walletsMatchingLedger: true, mismatches: [], unbalancedTransfers: 0 })

    // One outcome event per order, with the right type.
    await eventually(async () => orders.every((o) => eventsFor(o.data.orderId).length === 1) ? true : undefined, 20_000, 'one event per order')
    for (const order of [...wallet, ...card]) expect(eventsFor(order.data.orderId)[0]).toMatchObject({ type: TOPICS.paymentsSucceeded, data: { orderId: order.data.orderId, amountCents: order.data.amountCents, method: order.data.paymentMethod } })
    for (const order of overdraw) expect(eventsFor(order.data.orderId)[0]).toMatchObject({ type: TOPICS.paymentsFailed, data: { reason: 'insufficient_funds', method: 'wallet' } })
    // Each event carries the request id of the order that caused it (for cards, through the provider's callback).
    for (const order of orders) expect(reader.requestIds.get(eventsFor(order.data.orderId)[0]?.id ?? '')).toBe(`req-${order.data.orderId}`)

    // The second instance skipped the duplicates rather than applying them.
    const second = apps[1] as Running
    expect(await metricValue(second.registry, 'consumer_messages_total', { consumer: 'payments', outcome: 'duplicate' })).toBeGreaterThan(0)
  }, 90_000)

  it('refunds a cancelled order once, however often the cancellation arrives', async () => {
    const app = apps.at(-1) as Running
    const order = orderPlaced('c-0016', 2500)
    await send('ordersPlaced', order)
    await eventually(async () => (await finalPayments([order.data.orderId]))?.get(order.data.orderId), 20_000, 'the payment')
    expect((await app.app.inject({ method: 'GET', url: '/wallets/c-0016' })).json().balanceCents).toBe(SEED_BALANCE_CENTS - 2500)

    const cancelled = orderCancelled(order.data.orderId)
    await send('ordersCancelled', cancelled)
    await send('ordersCancelled', cancelled)
    await send('ordersCancelled', orderCancelled(order.data.orderId)) // a second, different event for the same order
    const refunded = await eventually(async () => {
      const { rows } = await pool.query<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [order.data.orderId])
      return rows[0]?.status === 'refunded' ? true : undefined
    }, 20_000, 'the refund')
    expect(refunded).toBe(true)
    await eventually(async () => await metricValue(app.registry, 'consumer_messages_total', { consumer: 'payments', topic: `${env.TOPIC_PREFIX}${TOPICS.ordersCancelled}` }) >= 3 ? true : undefined, 20_000, 'all three cancellations consumed')

    expect((await transfersPerOrder('refund')).get(order.data.orderId)).toBe(1)
    expect((await app.app.inject({ method: 'GET', url: '/wallets/c-0016' })).json().balanceCents).toBe(SEED_BALANCE_CENTS)
    expect(await consistency()).toMatchObject({ totalCents: TOTAL, walletsMatchingLedger: true, unbalancedTransfers: 0 })
  }, 60_000)

  it('parks an order event it cannot use in the dead-letter topic and keeps charging', async () => {
    const app = apps.at(-1) as Running
    const poison = orderPlaced('c-0017', 100)
    ;(poison.data as Record<string, unknown>).amountCents = '1.00' // a string where cents belong
    const next = orderPlaced('c-0017', 700)
    await send('ordersPlaced', poison)
    await send('ordersPlaced', next)
    await eventually(async () => (await finalPayments([next.data.orderId]))?.get(next.data.orderId), 20_000, 'the order after the poison one')
    await eventually(async () => await metricValue(app.registry, 'dlq_messages_total', { consumer: 'payments' }) === 1 ? true : undefined, 20_000, 'the dead letter')
    expect((await pool.query('SELECT 1 FROM payments WHERE order_id = $1', [poison.data.orderId])).rowCount).toBe(0)
    expect(await consistency()).toMatchObject({ totalCents: TOTAL, walletsMatchingLedger: true })
  }, 60_000)
})
