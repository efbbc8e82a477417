import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import type { Order } from '../src/schemas/order.js'
import { eventually, paymentEvent, publish, purchase, sql, startOrdersWithInventory, testKafka, type OrdersUnderTest } from './build.js'
import type { Inventory } from './inventory.js'

/** More than one pass's batch of releases (100, plugins/payment-timeout.ts). */
const ORDERS = 120

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest
let kafka: Kafka

beforeAllWithTeardown(async () => {
  ({ db, inventory, orders } = await startOrdersWithInventory('orders_release_sweep', {
    env: {
      // An interval far beyond the test: every pass here is one the sweep was woken for, or scheduled itself.
      PAYMENT_TIMEOUT_SWEEP_MS: '600000',
      STOCK_RELEASE_RETRY_MS: '100',
      STOCK_RELEASE_MAX_RETRY_MS: '500'
    }
  }))
  kafka = testKafka()
})

async function placeOrder (productId: number): Promise<Order> {
  const res = await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID() }, payload: purchase(productId, 1) })
  expect(res.statusCode).toBe(201)
  return res.json()
}

const count = async (query: string) => (await sql<{ n: number }>(db, query))[0]?.n

describe('the saga\'s sweep of owed stock releases', () => {
  it('retries owed releases at their due time and drains more than a batch of them once inventory is back, not at the sweep interval', async () => {
    await inventory.setStock(1, 1000)
    const placed: Order[] = []
    for (let i = 0; i < ORDERS; i++) placed.push(await placeOrder(1))
    expect(await inventory.stock(1)).toMatchObject({ available: 1000 - ORDERS, reserved: ORDERS })
    await inventory.stop()
    try {
      await publish(kafka, orders.topics.paymentFailed, placed.map((order) => paymentEvent('payments.failed.v1', order.id, order.amountCents, { reason: 'insufficient funds' })))
      await eventually(async () => await count("SELECT count(*)::int AS n FROM orders WHERE status = 'cancelled'") === ORDERS, 20_000, 'every order cancelled')
      // Woken by the cancellations' commits, the sweep tried each release, and each failed: all are owed, retried with backoff.
      await eventually(async () => await count('SELECT count(*)::int AS n FROM stock_releases WHERE attempts >= 2') === ORDERS, 10_000, 'every release tried again while inventory is down')
    } finally {
      await inventory.restart()
    }
    // Within the backoff's ceiling and the breaker's reset, far from the 10-minute interval.
    await eventually(async () => (await inventory.stock(1)).reserved === 0, 10_000, 'every unit given back')
    expect(await inventory.stock(1)).toMatchObject({ available: 1000, reserved: 0 })
    expect(await count('SELECT count(*)::int AS n FROM stock_releases')).toBe(0)
  }, 60_000)
})
