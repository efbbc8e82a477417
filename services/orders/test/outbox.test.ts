import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { Registry } from 'prom-client'
import type { Kafka } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, closedPort, type TestDatabase } from '@lab/testkit'
import { createKafka, OutboxRelay } from '@lab/messaging'
import { eventually, metricValue, purchase, readTopic, sql, startOrdersWithInventory, testKafka, type OrdersUnderTest } from './build.js'

let db: TestDatabase
let orders: OrdersUnderTest
let kafka: Kafka

beforeAllWithTeardown(async () => {
  ({ db, orders } = await startOrdersWithInventory('orders_outbox'))
  kafka = testKafka()
})

/** Messages ever written to a topic (sum of its partitions' high watermarks). */
async function messagesIn (topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    return offsets.reduce((sum, p) => sum + Number(p.high), 0)
  } finally {
    await admin.disconnect()
  }
}

describe('the transactional outbox', () => {
  it('loses no orders.placed.v1 event while Kafka is unreachable, and delivers each of 100 once it is back', async () => {
    const topic = orders.topics.placed
    // Kafka "down" for the relay: the app's relay stops, and a relay whose broker is a dead address
    // takes over the outbox (it holds the publisher lock and keeps failing, leaving every row unsent).
    await orders.app.outboxRelay.stop()
    const silent = pino({ level: 'silent' })
    const deadRegistry = new Registry()
    const deadRelay = new OutboxRelay({
      pool: orders.app.pg,
      kafka: createKafka({ clientId: 'dead-relay', brokers: [`127.0.0.1:${await closedPort()}`], log: silent, retry: { retries: 0 }, connectionTimeoutMs: 200 }),
      log: silent,
      registry: deadRegistry,
      service: 'orders',
      pollIntervalMs: 50,
      maxBackoffMs: 200
    })
    deadRelay.start()

    const placed = new Map<string, string>() // order id → request id
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const requestId = `req-outbox-${batch}-${i}`
        const res = await orders.app.inject({
          method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID(), 'x-request-id': requestId }, payload: purchase(1 + (i % 5), 1)
        })
        expect(res.statusCode).toBe(201)
        placed.set(res.json().id, requestId)
      }))
    }
    expect(placed.size).toBe(100)

    // Every event is safe in the outbox, none reached Kafka, and the relay says so.
    await eventually(async () => await metricValue(deadRegistry, 'outbox_publish_errors_total', { service: 'orders' }) >= 2 ? true : undefined)
    expect(await sql(db, 'SELECT id FROM outbox WHERE sent_at IS NULL')).toHaveLength(100)
    await eventually(async () => await metricValue(deadRegistry, 'outbox_backlog', { service: 'orders' }) === 100 ? true : undefined)
    expect(await messagesIn(topic)).toBe(0)

    // Kafka "back": the dead relay goes, the app's own relay starts again.
    await deadRelay.stop()
    orders.app.outboxRelay.start()
    const messages = await readTopic(kafka, topic, 100)

    const ids = new Set(messages.map((m) => m.envelope.id))
    expect(messages).toHaveLength(100)
    expect(ids.size).toBe(100)
    expect(new Set(messages.map((m) => m.envelope.data.orderId))).toEqual(new Set(placed.keys()))
    for (const m of messages) {
      expect(m.key).toBe(m.envelope.data.orderId)
      expect(m.envelope.type).toBe('orders.placed.v1')
      expect(m.envelope.data).toMatchObject({ customerId: 'c-0042', quantity: 1, paymentMethod: 'wallet', amountCents: expect.any(Number) })
      // One id follows the purchase: the HTTP request id rides on the event.
      expect(m.headers['x-request-id']).toBe(placed.get(String(m.envelope.data.orderId)))
      expect(m.headers['content-type']).toBe('application/json')
    }
    await eventually(async () => (await sql(db, 'SELECT id FROM outbox WHERE sent_at IS NULL')).length === 0 ? true : undefined)
    expect(await messagesIn(topic)).toBe(100)
    expect(await metricValue(orders.registry, 'outbox_published_total', { service: 'orders' })).toBe(100)
  })
})
