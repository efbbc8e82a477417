import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import { Kafka, logLevel, type IHeaders } from 'kafkajs'
import { registerTeardown, tempDatabase, testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { createEnvelope, type Envelope } from '@lab/messaging'
import { buildApp } from '../src/app.js'
import { loadOrdersConfig } from '../src/config.js'
import { orderTopics, type OrderTopics } from '../src/topics.js'
import { startInventory, type Inventory } from './inventory.js'

export interface OrdersUnderTest {
  app: LabApp
  registry: Registry
  topics: OrderTopics
}

/** Environment for orders under test: its own topic prefix (and so consumer group), quiet logs, a quick breaker. */
export function ordersEnv (db: TestDatabase, inventoryUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('orders-test'),
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    TOPIC_PREFIX: `${uniqueName('t')}.`,
    INVENTORY_URL: inventoryUrl,
    OUTBOX_POLL_INTERVAL_MS: '50',
    CONSUMER_RETRY_BACKOFF_MS: '50',
    BREAKER_RESET_MS: '2000',
    ...env
  }
}

/** An orders app built in-process and ready (relay and consumer started); closed by registerTeardown. */
export async function buildOrders (env: Record<string, string>): Promise<OrdersUnderTest> {
  const registry = new Registry()
  const config = loadOrdersConfig(env)
  const app = await buildApp(config, { registry, defaultMetrics: false })
  registerTeardown(async () => { await app.close() })
  await app.ready()
  return { app, registry, topics: orderTopics(config) }
}

export interface OrdersWithInventory { db: TestDatabase, inventory: Inventory, orders: OrdersUnderTest }

/**
 * What the orders tests that place orders share: the real inventory in its own process (reaching
 * Postgres through `inventoryDatabaseAddress`, a Toxiproxy proxy, when given), and orders built here
 * on a database of its own (`database` names it), calling inventory over HTTP with `env` on top of
 * ordersEnv. Each part closes itself, orders first (registerTeardown).
 */
export async function startOrdersWithInventory (database: string, { env = {}, inventoryDatabaseAddress }: { env?: Record<string, string>, inventoryDatabaseAddress?: string } = {}): Promise<OrdersWithInventory> {
  const inventory = await startInventory({ databaseAddress: inventoryDatabaseAddress })
  const db = await tempDatabase(database)
  const orders = await buildOrders(ordersEnv(db, inventory.url, env))
  return { db, inventory, orders }
}

export function testKafka (): Kafka {
  return new Kafka({ clientId: uniqueName('orders-test-client'), brokers: testInfra().kafkaBrokers, logLevel: logLevel.NOTHING })
}

export interface ReadMessage { key: string, envelope: Envelope<Record<string, unknown>>, headers: Record<string, string> }

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` messages arrived, then
 * keeps listening `settleMs` longer so that extra (duplicate) messages would show too.
 */
export async function readTopic (kafka: Kafka, topic: string, count: number, { timeoutMs = 30_000, settleMs = 1000 } = {}): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('orders-test-reader') })
  const messages: ReadMessage[] = []
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    let reached: () => void = () => {}
    const enough = new Promise<void>((resolve) => { reached = resolve })
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push({ key: message.key?.toString() ?? '', envelope: JSON.parse(message.value?.toString() ?? 'null'), headers: stringHeaders(message.headers) })
        if (messages.length >= count) reached()
      }
    })
    const timedOut = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))
    await Promise.race([enough, timedOut])
    if (messages.length >= count) await new Promise((resolve) => setTimeout(resolve, settleMs))
  } finally {
    await consumer.disconnect()
  }
  return messages
}

function stringHeaders (headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]))
}

/** Publishes an event (or several, in one send) the way payments does: key = order id, JSON envelope, request id header. */
export async function publish (kafka: Kafka, topic: string, envelopes: Envelope | Envelope[], requestId = uniqueName('req')): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    const messages = [envelopes].flat().map((envelope) => ({ key: envelope.key, value: JSON.stringify(envelope), headers: { 'x-request-id': requestId, 'content-type': 'application/json' } }))
    await producer.send({ topic, acks: -1, messages })
  } finally {
    await producer.disconnect()
  }
}

export function paymentEvent (type: 'payments.succeeded.v1' | 'payments.failed.v1', orderId: string, amountCents: number, extra: Record<string, unknown> = {}): Envelope {
  return createEnvelope(type, orderId, { orderId, paymentId: randomUUID(), amountCents, method: 'wallet', ...extra })
}

/** Starts `first`, then `second` `afterMs` later, while the first is in flight: both answers, in that order. */
export async function secondAfter<T> (afterMs: number, first: () => Promise<T>, second: () => Promise<T>): Promise<[T, T]> {
  const one = first()
  await new Promise((resolve) => setTimeout(resolve, afterMs))
  const two = await second()
  return [await one, two]
}

export const purchase = (productId: number, quantity = 1, extra: Record<string, unknown> = {}) =>
  ({ customerId: 'c-0042', productId, quantity, paymentMethod: 'wallet', ...extra })

export { eventually, expectErrorBody, metricValue, sql } from '@lab/testkit'
