import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, registerTeardown, startPrivateKafka, uniqueName, type PrivateKafka, type TestDatabase } from '@lab/testkit'
import { eventually, metricValue, purchase, readTopic, sql, startOrdersWithInventory, type OrdersUnderTest } from './build.js'

// Issue 4: "stop Kafka while 100 orders are placed, start it again: all 100 orders.placed.v1 events are
// delivered, none twice in effect". The shared test Kafka serves other files, so this file has a broker
// of its own that it really stops (the process ends) and starts again on the same port and data.
let broker: PrivateKafka
let db: TestDatabase
let orders: OrdersUnderTest

// Closed last first: orders, then inventory, then the broker. Orders' close takes ~25 s: the
// payment-results consumer's JoinGroup after the restart waits for its group's member from before the
// stop (Kafka kept the group) until the session ends; close waits for that join.
beforeAllWithTeardown(async () => {
  broker = await startPrivateKafka()
  registerTeardown(broker.remove)
  // Short kafkajs retries and relay backoff: once Kafka is back, the relay notices within a second.
  ;({ db, orders } = await startOrdersWithInventory('orders_kafka_down', {
    env: {
      KAFKA_BROKERS: broker.brokers.join(','),
      // Kafka being down is the point here: its connection errors would flood the output.
      LOG_LEVEL: 'fatal',
      KAFKA_RETRIES: '2',
      KAFKA_MAX_RETRY_TIME_MS: '300',
      OUTBOX_MAX_BACKOFF_MS: '500'
    }
  }))
})

const backlog = async (): Promise<number> => await metricValue(orders.registry, 'outbox_backlog', { service: 'orders' })
const published = async (): Promise<number> => await metricValue(orders.registry, 'outbox_published_total', { service: 'orders' })

describe('the transactional outbox with Kafka stopped', () => {
  it('takes 100 orders while Kafka is stopped and delivers each orders.placed.v1 event once Kafka is started again', async () => {
    await broker.stop()

    // Orders needs Postgres and inventory to take an order, not Kafka: every purchase is accepted.
    const placed = new Set<string>()
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const res = await orders.app.inject({
          method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID() }, payload: purchase(1 + (i % 5), 1)
        })
        expect(res.statusCode).toBe(201)
        placed.add(res.json().id)
      }))
    }
    expect(placed.size).toBe(100)

    // All 100 events wait in the outbox, the backlog metric says so, and nothing was published.
    await eventually(async () => await backlog() === 100, 20_000, 'outbox_backlog = 100')
    expect(await sql(db, 'SELECT id FROM outbox WHERE sent_at IS NULL')).toHaveLength(100)
    expect(await published()).toBe(0)
    expect(await metricValue(orders.registry, 'outbox_publish_errors_total', { service: 'orders' })).toBeGreaterThan(0)

    await broker.start()
    const reader = new Kafka({ clientId: uniqueName('orders-test-client'), brokers: broker.brokers, logLevel: logLevel.NOTHING })
    const messages = await readTopic(reader, orders.topics.placed, 100, { timeoutMs: 60_000, settleMs: 2000 })

    // The relay delivers at least once: a batch whose send succeeded but whose "sent" mark did not
    // could go out again, so the log may hold a duplicate. "None twice in effect" is that every event
    // has one envelope id (consumers dedupe on it in their inbox): 100 distinct ids, one per order.
    const ids = new Set(messages.map((m) => m.envelope.id))
    expect(ids.size).toBe(100)
    expect(new Set(messages.map((m) => String(m.envelope.data.orderId)))).toEqual(placed)
    for (const m of messages) {
      expect(m.envelope.type).toBe('orders.placed.v1')
      expect(m.key).toBe(m.envelope.data.orderId)
    }
    await eventually(async () => await backlog() === 0, 20_000, 'outbox_backlog = 0')
    expect(await sql(db, 'SELECT id FROM outbox WHERE sent_at IS NULL')).toHaveLength(0)
    expect(await published()).toBe(messages.length)
  }, 180_000)
})
