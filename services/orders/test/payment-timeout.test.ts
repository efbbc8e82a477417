import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import type { Order } from '../src/schemas/order.js'
import { eventually, metricValue, paymentEvent, publish, purchase, sql, startOrdersWithInventory, testKafka, type OrdersUnderTest } from './build.js'
import type { Inventory } from './inventory.js'

const TIMEOUT_MS = 1500

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest
let kafka: Kafka

beforeAllWithTeardown(async () => {
  ({ db, inventory, orders } = await startOrdersWithInventory('orders_payment_timeout', {
    env: { PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS), PAYMENT_TIMEOUT_SWEEP_MS: '200', STOCK_RELEASE_RETRY_MS: '100', STOCK_RELEASE_MAX_RETRY_MS: '500' }
  }))
  kafka = testKafka()
})

async function placeOrder (productId: number, quantity: number, requestId: string = randomUUID()): Promise<Order> {
  const res = await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID(), 'x-request-id': requestId }, payload: purchase(productId, quantity) })
  expect(res.statusCode).toBe(201)
  return res.json()
}

async function getOrder (id: string): Promise<Order> {
  return (await orders.app.inject({ method: 'GET', url: `/orders/${id}` })).json()
}

/** The stock, once inventory has taken the order's reservation back (the sweep does it right after the cancellation's commit). */
async function untilReleased (productId: number, timeoutMs = 10_000) {
  return await eventually(async () => {
    const stock = await inventory.stock(productId)
    return stock.reserved === 0 ? stock : undefined
  }, timeoutMs, `product ${productId}'s stock given back`)
}

async function cancellations (orderId: string) {
  return await sql<{ envelope: { id: string, data: Record<string, unknown> }, headers: Record<string, string> }>(db,
    'SELECT envelope, headers FROM outbox WHERE key = $1 AND topic = $2 ORDER BY id', [orderId, orders.topics.cancelled])
}

describe('the saga\'s payment timeout', () => {
  it('cancels an order whose payment result never comes, after the timeout: stock released, orders.cancelled.v1 with the placing request id', async () => {
    await inventory.setStock(11, 100)
    const timeoutsBefore = await metricValue(orders.registry, 'orders_payment_timeouts_total')
    const placedAt = Date.now()
    const order = await placeOrder(11, 4, 'req-never-paid')
    expect(await inventory.stock(11)).toMatchObject({ available: 96, reserved: 4 })
    const cancelled = await eventually(async () => {
      const now = await getOrder(order.id)
      return now.status === 'cancelled' ? now : undefined
    }, 10_000, 'the order cancelled by the timeout')
    // Not before its time.
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(TIMEOUT_MS)
    expect(cancelled.cancelReason).toBe('payment timed out')
    // In the same sweep, right after the cancellation's commit.
    expect(await untilReleased(11, 2000)).toMatchObject({ available: 100, reserved: 0 })
    const events = await cancellations(order.id)
    expect(events).toHaveLength(1)
    expect(events[0]?.envelope.data).toEqual({ orderId: order.id, reason: 'payment timed out', refundRequired: false })
    expect(events[0]?.headers['x-request-id']).toBe('req-never-paid')
    expect(await metricValue(orders.registry, 'orders_payment_timeouts_total')).toBe(timeoutsBefore + 1)
    expect(await metricValue(orders.registry, 'orders_total', { status: 'cancelled' })).toBeGreaterThanOrEqual(1)
  })

  it('asks for a refund when the payment succeeds after the timeout cancelled the order, and ignores a late failure', async () => {
    await inventory.setStock(12, 100)
    const order = await placeOrder(12, 1)
    await eventually(async () => (await getOrder(order.id)).status === 'cancelled', 10_000, 'cancelled by the timeout')
    await publish(kafka, orders.topics.paymentSucceeded, paymentEvent('payments.succeeded.v1', order.id, order.amountCents), 'req-late-pay')
    await publish(kafka, orders.topics.paymentFailed, paymentEvent('payments.failed.v1', order.id, order.amountCents, { reason: 'late' }), 'req-late-fail')
    const refund = await eventually(async () => (await cancellations(order.id)).find((e) => e.envelope.data.refundRequired === true), 20_000, 'a refund requested')
    expect(refund.envelope.data).toEqual({ orderId: order.id, reason: 'payment succeeded after the order was cancelled', refundRequired: true })
    await eventually(async () => await metricValue(orders.registry, 'consumer_messages_total', { consumer: 'orders', topic: orders.topics.paymentFailed, outcome: 'processed' }) >= 1, 20_000, 'the late failure handled')
    // Still cancelled, the stock given back once, one timeout cancellation and one refund request.
    expect(await getOrder(order.id)).toMatchObject({ status: 'cancelled', cancelReason: 'payment timed out' })
    expect(await untilReleased(12)).toMatchObject({ available: 100, reserved: 0 })
    expect((await cancellations(order.id)).map((e) => e.envelope.data.refundRequired)).toEqual([false, true])
  })

  it('cancels an order past its timeout while inventory is down, and gives its stock back once inventory is back', async () => {
    await inventory.setStock(14, 100)
    const failedBefore = await metricValue(orders.registry, 'orders_stock_releases_total', { outcome: 'failed' })
    const order = await placeOrder(14, 3, 'req-timeout-inventory-down')
    await inventory.stop()
    try {
      // Not held back by inventory: cancelled by the first sweep past the timeout, its release owed.
      const cancelled = await eventually(async () => {
        const now = await getOrder(order.id)
        return now.status === 'cancelled' ? now : undefined
      }, 10_000, 'the order cancelled by the timeout while inventory is down')
      expect(cancelled).toMatchObject({ cancelReason: 'payment timed out', version: 2 })
      expect((await cancellations(order.id)).map((e) => e.envelope.data)).toEqual([{ orderId: order.id, reason: 'payment timed out', refundRequired: false }])
      expect(await sql(db, 'SELECT reason, request_id AS "requestId" FROM stock_releases WHERE reservation_id = $1', [order.id]))
        .toEqual([{ reason: 'payment timed out', requestId: 'req-timeout-inventory-down' }])
      await eventually(async () => await metricValue(orders.registry, 'orders_stock_releases_total', { outcome: 'failed' }) > failedBefore, 5000, 'a release attempt while inventory is down')
      await eventually(async () => await metricValue(orders.registry, 'orders_stock_release_due') >= 1, 5000, 'the owed release counted')
    } finally {
      await inventory.restart()
    }
    expect(await untilReleased(14)).toMatchObject({ available: 100, reserved: 0 })
    await eventually(async () => (await sql(db, 'SELECT 1 FROM stock_releases WHERE reservation_id = $1', [order.id])).length === 0, 5000, 'the release forgotten')
  })

  it('parks a release inventory refuses for good instead of retrying it forever, and makes it once an operator unparks it', async () => {
    await inventory.setStock(15, 100)
    const gauge = async (name: string) => await metricValue(orders.registry, name)
    const rejectedBefore = await metricValue(orders.registry, 'orders_stock_releases_total', { outcome: 'rejected' })
    const order = await placeOrder(15, 4)
    // Lost updates, as the naive strategy makes them: inventory's counter holds fewer units reserved than
    // this reservation, so it refuses to give them back (409 INVENTORY_STOCK_INCONSISTENT), every time.
    await sql(inventory.db, 'UPDATE items SET reserved = 0 WHERE product_id = 15')
    await eventually(async () => await metricValue(orders.registry, 'orders_stock_releases_total', { outcome: 'rejected' }) > rejectedBefore, 10_000, 'the release refused')
    const row = async () => await sql(db, 'SELECT attempts, due_at = \'infinity\' AS parked, last_error AS "lastError" FROM stock_releases WHERE reservation_id = $1', [order.id])
    expect(await row()).toEqual([{ attempts: 1, parked: true, lastError: expect.stringContaining('409 INVENTORY_STOCK_INCONSISTENT') }])
    // Counted apart from the releases still tried.
    await eventually(async () => await gauge('orders_stock_release_parked') === 1 && await gauge('orders_stock_release_due') === 0, 5000, 'the parked release counted apart')
    // Sweeps every 200 ms and retries from 100 ms would have asked again several times by now.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await row()).toMatchObject([{ attempts: 1, parked: true }])
    // Inventory's counter repaired, the operator makes the release due again: the sweep makes it.
    await sql(inventory.db, 'UPDATE items SET reserved = 4 WHERE product_id = 15')
    await sql(db, 'UPDATE stock_releases SET due_at = now() WHERE reservation_id = $1', [order.id])
    expect(await untilReleased(15)).toMatchObject({ available: 100, reserved: 0 })
    await eventually(async () => (await row()).length === 0, 5000, 'the release forgotten')
    await eventually(async () => await gauge('orders_stock_release_parked') === 0, 5000, 'no release parked')
  })

  it('leaves an order alone whose payment result came in time', async () => {
    await inventory.setStock(13, 100)
    const order = await placeOrder(13, 2)
    await publish(kafka, orders.topics.paymentSucceeded, paymentEvent('payments.succeeded.v1', order.id, order.amountCents), 'req-in-time')
    await eventually(async () => (await getOrder(order.id)).status === 'confirmed', 10_000, 'confirmed')
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 600))
    expect(await getOrder(order.id)).toMatchObject({ status: 'confirmed' })
    expect(await inventory.stock(13)).toMatchObject({ available: 98, reserved: 2 })
    expect(await cancellations(order.id)).toHaveLength(0)
  })
})
