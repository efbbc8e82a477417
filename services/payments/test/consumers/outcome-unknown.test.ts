import net from 'node:net'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown, registerTeardown } from '@lab/testkit'
import {
  collectPaymentEvents, eventually, histogram, metricValue, orderPlaced, startPaymentsWithProvider, startProvider, type PaymentsWithProvider, type Provider, type Running
} from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'
import { TOPICS } from '../../src/events.js'

const TIMEOUT_MS = 200
const LATENCY_MS = 400
const RECONCILE_AFTER_MS = 300
const RECONCILE_INTERVAL_MS = 100

/**
 * A TCP hop between payments and the provider: `pass` pipes to the provider; `drop` accepts the
 * connection and swallows the request, never answering (the provider never sees it), like a network
 * that loses packets after the connect.
 */
function startLossyHop (target: URL): Promise<{ url: string, mode: { drop: boolean }, close: () => Promise<void> }> {
  const mode = { drop: false }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    if (mode.drop) {
      socket.resume()
      return
    }
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(upstream)
    upstream.on('close', () => { sockets.delete(upstream); socket.destroy() })
    upstream.on('error', () => upstream.destroy())
    socket.on('close', () => upstream.destroy())
    socket.pipe(upstream).pipe(socket)
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        mode,
        close: async () => {
          for (const s of sockets) s.destroy()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
      })
    })
  })
}

let pool: pg.Pool
let provider: Provider
let hop: Awaited<ReturnType<typeof startLossyHop>>
let payments: Running
let send: PaymentsWithProvider['send']
let reader: Awaited<ReturnType<typeof collectPaymentEvents>>

beforeAllWithTeardown(async () => {
  provider = await startProvider()
  hop = await startLossyHop(new URL(provider.url))
  registerTeardown(hop.close)
  let env: Record<string, string>
  ;({ pool, payments, send, env } = await startPaymentsWithProvider('payments_unknown', {
    provider,
    env: {
      PROVIDER_URL: hop.url,
      // The provider's callbacks go nowhere: only the reconciler can learn a charge's outcome here.
      PUBLIC_URL: 'http://127.0.0.1:9',
      PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
      PROVIDER_MAX_ATTEMPTS: '2',
      BREAKER_VOLUME_THRESHOLD: '1000',
      RECONCILE_AFTER_MS: String(RECONCILE_AFTER_MS),
      RECONCILE_INTERVAL_MS: String(RECONCILE_INTERVAL_MS)
    }
  }))
  reader = await collectPaymentEvents(env.TOPIC_PREFIX as string)
})

interface Row { status: string, reason: string | null, attempts: number, outcome_unknown: string | null }

const paymentRow = async (paymentId: string): Promise<Row | undefined> =>
  (await pool.query<Row>('SELECT status, reason, attempts, outcome_unknown FROM payments WHERE id = $1', [paymentId])).rows[0]

const eventsFor = (orderId: string, type: string) => reader.events.filter((e) => e.key === orderId && e.type === type)
const reconciled = async (result: string) => await metricValue(payments.registry, 'payments_reconciled_total', { result })

describe('card charges whose outcome is unknown (provider slower than the timeout, or unreachable)', () => {
  it('keeps a charge the provider never received pending while it is unreachable, then fails it once the provider says it has no such charge', async () => {
    hop.mode.drop = true
    const order = orderPlaced('c-0001', 1500, 'card')
    const paymentId = paymentIdForOrder(order.data.orderId)
    await send('ordersPlaced', order)

    // Every attempt unanswered: pending, outcome recorded, no event.
    const pending = await eventually(async () => { const r = await paymentRow(paymentId); return r?.outcome_unknown != null ? r : undefined }, 20_000, 'the charge left pending')
    expect(pending).toMatchObject({ status: 'pending', outcome_unknown: 'timeout', attempts: 2 })
    // The reconciler cannot reach the provider either: still pending, several rounds later.
    await eventually(async () => await reconciled('unreachable') >= 2 ? true : undefined, 10_000, 'reconciler rounds while unreachable')
    expect(await paymentRow(paymentId)).toMatchObject({ status: 'pending' })
    expect(eventsFor(order.data.orderId, TOPICS.paymentsFailed)).toHaveLength(0)

    // Reachable again: the provider answers 404 (it never got the charge) → failed, and its event.
    hop.mode.drop = false
    await eventually(async () => (await paymentRow(paymentId))?.status === 'failed' ? true : undefined, 10_000, 'the payment to fail')
    expect(await paymentRow(paymentId)).toMatchObject({ status: 'failed', reason: 'provider_unavailable' })
    await eventually(() => eventsFor(order.data.orderId, TOPICS.paymentsFailed).length === 1 ? true : undefined, 10_000, 'payments.failed.v1')
    expect(eventsFor(order.data.orderId, TOPICS.paymentsSucceeded)).toHaveLength(0)
    expect(await reconciled('not_found')).toBe(1)
  }, 40_000)

  it('does not fail a charge the slow provider took after the timeout: the reconciler settles it succeeded, once', async () => {
    await provider.setFaults({ latencyMs: LATENCY_MS })
    const unknownBefore = (await histogram(payments.registry, 'payments_provider_charge_duration_seconds', { result: 'unknown' })).count
    const order = orderPlaced('c-0002', 2500, 'card')
    const paymentId = paymentIdForOrder(order.data.orderId)
    await send('ordersPlaced', order)

    const settled = await eventually(async () => { const r = await paymentRow(paymentId); return r?.status === 'succeeded' ? r : undefined }, 20_000, 'the payment to succeed')
    expect(settled).toMatchObject({ status: 'succeeded', reason: null, outcome_unknown: 'timeout' })
    expect((await histogram(payments.registry, 'payments_provider_charge_duration_seconds', { result: 'unknown' })).count).toBe(unknownBefore + 1)
    expect(await reconciled('succeeded')).toBe(1)

    await eventually(() => eventsFor(order.data.orderId, TOPICS.paymentsSucceeded).length >= 1 ? true : undefined, 10_000, 'payments.succeeded.v1')
    // A few more reconciler rounds and the relay's polls: still exactly one event, and never a failure.
    await new Promise((resolve) => setTimeout(resolve, 5 * RECONCILE_INTERVAL_MS))
    expect(eventsFor(order.data.orderId, TOPICS.paymentsSucceeded)).toHaveLength(1)
    expect(eventsFor(order.data.orderId, TOPICS.paymentsFailed)).toHaveLength(0)
    expect(await metricValue(payments.registry, 'payments_failed_total', { method: 'card', reason: 'provider_unavailable' })).toBe(1) // the first test's
  }, 40_000)
})
