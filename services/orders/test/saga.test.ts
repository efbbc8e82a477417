import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import type { Order } from '../src/schemas/order.js'
import { eventually, metricValue, paymentEvent, publish, purchase, sql, startOrdersWithInventory, testKafka, type OrdersUnderTest } from './build.js'
import type { Inventory } from './inventory.js'

const MAX_ATTEMPTS = 3

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest
let kafka: Kafka

beforeAllWithTeardown(async () => {
  ({ db, inventory, orders } = await startOrdersWithInventory('orders_saga', {
    env: {
      CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      CONSUMER_RETRY_BACKOFF_MS: '50',
      // Releases owed while inventory is down are retried soon after it is back.
      STOCK_RELEASE_RETRY_MS: '100',
      STOCK_RELEASE_MAX_RETRY_MS: '500'
    }
  }))
  kafka = testKafka()
})

async function placeOrder (productId: number, quantity: number): Promise<Order> {
  const res = await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID() }, payload: purchase(productId, quantity) })
  expect(res.statusCode).toBe(201)
  return res.json()
}

async function getOrder (id: string): Promise<Order> {
  return (await orders.app.inject({ method: 'GET', url: `/orders/${id}` })).json()
}

async function untilStatus (id: string, status: Order['status']): Promise<Order> {
  return await eventually(async () => {
    const order = await getOrder(id)
    return order.status === status ? order : undefined
  })
}

async function emitted (orderId: string, topic: string) {
  return await sql<{ envelope: { id: string, data: Record<string, unknown> }, headers: Record<string, string> }>(db,
    'SELECT envelope, headers FROM outbox WHERE key = $1 AND topic = $2 ORDER BY id', [orderId, topic])
}

const consumed = async (topic: string, outcome: string) => await metricValue(orders.registry, 'consumer_messages_total', { consumer: 'orders', topic, outcome })
const releases = async (outcome: string) => await metricValue(orders.registry, 'orders_stock_releases_total', { outcome })
const owedReleases = async (orderId: string) => await sql<{ reason: string }>(db, 'SELECT reason FROM stock_releases WHERE reservation_id = $1', [orderId])

/** The stock, once inventory has taken the order's reservation back (made after the cancellation's commit). */
async function untilReleased (productId: number, timeoutMs = 10_000) {
  return await eventually(async () => {
    const stock = await inventory.stock(productId)
    return stock.reserved === 0 ? stock : undefined
  }, timeoutMs, `product ${productId}'s stock given back`)
}

describe('the saga step: payment results', () => {
  it('confirms a pending order when its payment succeeds, and tells the others with the payment\'s request id', async () => {
    const confirmedBefore = await metricValue(orders.registry, 'orders_total', { status: 'confirmed' })
    const order = await placeOrder(1, 2)
    await publish(kafka, orders.topics.paymentSucceeded, paymentEvent('payments.succeeded.v1', order.id, order.amountCents), 'req-pay-ok')
    const confirmed = await untilStatus(order.id, 'confirmed')
    expect(confirmed).toMatchObject({ status: 'confirmed', cancelReason: null, version: 2 })
    const events = await emitted(order.id, orders.topics.confirmed)
    expect(events).toHaveLength(1)
    expect(events[0]?.envelope.data).toEqual({ orderId: order.id })
    expect(events[0]?.headers['x-request-id']).toBe('req-pay-ok')
    // The stock stays sold.
    expect(await inventory.stock(1)).toMatchObject({ available: 98, reserved: 2 })
    expect(await metricValue(orders.registry, 'orders_total', { status: 'confirmed' }) - confirmedBefore).toBe(1)
  })

  it('cancels the order and gives its stock back at inventory when its payment fails', async () => {
    const order = await placeOrder(3, 5)
    expect(await inventory.stock(3)).toMatchObject({ available: 95, reserved: 5 })
    await publish(kafka, orders.topics.paymentFailed, paymentEvent('payments.failed.v1', order.id, order.amountCents, { reason: 'insufficient funds' }))
    const cancelled = await untilStatus(order.id, 'cancelled')
    expect(cancelled).toMatchObject({ cancelReason: 'payment failed: insufficient funds', version: 2 })
    // Released after the cancellation committed (record, then act), woken by it: no sweep interval waited.
    expect(await untilReleased(3, 3000)).toMatchObject({ available: 100, reserved: 0 })
    await eventually(async () => (await owedReleases(order.id)).length === 0, 5000, 'the release forgotten')
    const events = await emitted(order.id, orders.topics.cancelled)
    expect(events).toHaveLength(1)
    expect(events[0]?.envelope.data).toEqual({ orderId: order.id, reason: 'payment failed: insufficient funds', refundRequired: false })
  })

  it('applies a duplicated payment event, and a second report of the payment, once', async () => {
    const order = await placeOrder(4, 1)
    const confirmedBefore = await metricValue(orders.registry, 'orders_total', { status: 'confirmed' })
    const topic = orders.topics.paymentSucceeded
    const processedBefore = await consumed(topic, 'processed')
    const duplicatesBefore = await consumed(topic, 'duplicate')
    const event = paymentEvent('payments.succeeded.v1', order.id, order.amountCents)
    await publish(kafka, topic, event)
    await publish(kafka, topic, event)
    await publish(kafka, topic, paymentEvent('payments.succeeded.v1', order.id, order.amountCents))
    await eventually(async () => await consumed(topic, 'processed') - processedBefore === 2 && await consumed(topic, 'duplicate') - duplicatesBefore === 1 ? true : undefined)
    expect(await getOrder(order.id)).toMatchObject({ status: 'confirmed', version: 2 })
    expect(await emitted(order.id, orders.topics.confirmed)).toHaveLength(1)
    expect(await sql(db, 'SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2', ['orders', event.id])).toHaveLength(1)
    expect(await metricValue(orders.registry, 'orders_total', { status: 'confirmed' }) - confirmedBefore).toBe(1)
  })

  it('asks payments for a refund when a payment succeeds for an order already cancelled', async () => {
    const order = await placeOrder(5, 1)
    await publish(kafka, orders.topics.paymentFailed, paymentEvent('payments.failed.v1', order.id, order.amountCents, { reason: 'card declined' }))
    await untilStatus(order.id, 'cancelled')
    const late = paymentEvent('payments.succeeded.v1', order.id, order.amountCents, { method: 'card' })
    await publish(kafka, orders.topics.paymentSucceeded, late)
    const refund = await eventually(async () => {
      const events = await emitted(order.id, orders.topics.cancelled)
      return events.length === 2 ? events[1] : undefined
    })
    expect(refund.envelope.data).toEqual({ orderId: order.id, reason: 'payment succeeded after the order was cancelled', refundRequired: true })
    expect(await getOrder(order.id)).toMatchObject({ status: 'cancelled', version: 2 })
  })

  it('cancels the order at once when its payment fails while inventory is down, and gives the stock back once inventory is back', async () => {
    const order = await placeOrder(6, 3)
    const topic = orders.topics.paymentFailed
    const retriedBefore = await consumed(topic, 'retried')
    const failedBefore = await releases('failed')
    await inventory.stop()
    try {
      await publish(kafka, topic, paymentEvent('payments.failed.v1', order.id, order.amountCents, { reason: 'insufficient funds' }), 'req-pay-inventory-down')
      // The cancellation does not wait for inventory: one attempt, no retry of the event, no dead letter.
      const cancelled = await untilStatus(order.id, 'cancelled')
      expect(cancelled).toMatchObject({ cancelReason: 'payment failed: insufficient funds', version: 2 })
      const events = await emitted(order.id, orders.topics.cancelled)
      expect(events.map((e) => e.envelope.data)).toEqual([{ orderId: order.id, reason: 'payment failed: insufficient funds', refundRequired: false }])
      expect(events[0]?.headers['x-request-id']).toBe('req-pay-inventory-down')
      // The release is owed, and was tried (woken by the commit) and failed.
      expect(await owedReleases(order.id)).toEqual([{ reason: 'payment failed: insufficient funds' }])
      await eventually(async () => await releases('failed') > failedBefore, 5000, 'a release attempt while inventory is down')
      expect(await consumed(topic, 'retried') - retriedBefore).toBe(0)
      expect(await metricValue(orders.registry, 'dlq_messages_total', { consumer: 'orders', topic })).toBe(0)
    } finally {
      await inventory.restart()
    }
    expect(await untilReleased(6)).toMatchObject({ available: 100, reserved: 0 })
    await eventually(async () => (await owedReleases(order.id)).length === 0, 5000, 'the release forgotten')
    expect(await getOrder(order.id)).toMatchObject({ status: 'cancelled', version: 2 })
  })
})
