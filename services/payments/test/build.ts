import { randomUUID } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import { Registry } from 'prom-client'
import type { Consumer, Producer } from 'kafkajs'
import { endPool, registerTeardown, tempDatabase, testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { createEnvelope, createKafka, ensureTopics, type Envelope } from '@lab/messaging'
import { buildApp, type BuildOptions } from '../src/app.js'
import { loadPaymentsConfig } from '../src/config.js'
import { TOPICS } from '../src/events.js'
import { startProvider, TEST_SECRET, type Provider } from './provider.js'

export const SEED_WALLETS = 20
export const SEED_BALANCE_CENTS = 100_000

export interface Running {
  app: LabApp
  registry: Registry
  url: string
  /** Closes the app (a crash test closes an instance itself); the teardown calls it too, once is enough. */
  close: () => Promise<void>
}

/**
 * Environment for payments under test: its own database, topic prefix and consumer group, a small
 * seed (c-0001 … c-0020, 1,000.00 each), quick breaker and retries, no retry budget in the way, quiet logs.
 */
export function paymentsEnv (db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('payments-test'),
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    PG_POOL_MAX: '12',
    SEED_WALLETS: String(SEED_WALLETS),
    SEED_BALANCE_CENTS: String(SEED_BALANCE_CENTS),
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    TOPIC_PREFIX: `${uniqueName('pay')}.`,
    CONSUMER_GROUP: uniqueName('payments-group'),
    CONSUMER_RETRY_BACKOFF_MS: '20',
    OUTBOX_POLL_INTERVAL_MS: '20',
    PROVIDER_URL: 'http://127.0.0.1:9',
    PROVIDER_WEBHOOK_SECRET: TEST_SECRET,
    PROVIDER_TIMEOUT_MS: '1000',
    PROVIDER_RETRY_BASE_MS: '20',
    PROVIDER_RETRY_MAX_MS: '200',
    BREAKER_RESET_MS: '1000',
    // A floor no test reaches: tests of the other patterns see every retry; retry-budget.test.ts sets its own.
    PROVIDER_RETRY_BUDGET_MIN_PER_SECOND: '1000',
    ...env
  }
}

/** Payments built in-process and listening on a free port (the provider calls it back); closed by registerTeardown. */
export async function startPayments (env: Record<string, string>, opts: BuildOptions = {}): Promise<Running> {
  const registry = new Registry()
  const app = await buildApp(loadPaymentsConfig(env), { registry, defaultMetrics: false, ...opts })
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => { closing ??= app.close(); await closing }
  registerTeardown(close)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, registry, url, close }
}

export interface PaymentsWithProvider {
  db: TestDatabase
  /** For assertions on what payments stored. */
  pool: pg.Pool
  provider: Provider
  /** The environment payments runs with (its TOPIC_PREFIX names the topics). */
  env: Record<string, string>
  payments: Running
  /** Sends an order event as orders' outbox relay would. */
  send: OrderProducer['send']
}

/**
 * What the consumer tests share: payments on a database of its own (`database` names it) with `env`
 * on top of paymentsEnv, the provider in its own process (started with `providerEnv`, or `provider`
 * when the test started it itself), a producer of order events and a pool on payments' database.
 * Each part closes itself (registerTeardown), payments first.
 */
export async function startPaymentsWithProvider (database: string, { env: extra = {}, providerEnv = {}, provider: given }: { env?: Record<string, string>, providerEnv?: Record<string, string>, provider?: Provider } = {}): Promise<PaymentsWithProvider> {
  const db = await tempDatabase(database)
  const pool = dbPool(db)
  const provider = given ?? await startProvider(providerEnv)
  const env = paymentsEnv(db, { PROVIDER_URL: provider.url, ...extra })
  const { send } = await orderProducer(env.TOPIC_PREFIX as string)
  const payments = await startPayments(env)
  return { db, pool, provider, env, payments, send }
}

export const testLog = pino({ level: 'error' })

export interface OrderProducer { producer: Producer, send: (topic: keyof typeof TOPICS, envelope: Envelope, requestId?: string) => Promise<void> }

/** Produces order events onto the prefixed topics, as the orders service's outbox relay would; disconnects by registerTeardown. */
export async function orderProducer (prefix: string): Promise<OrderProducer> {
  const kafka = createKafka({ clientId: uniqueName('orders-sim'), brokers: testInfra().kafkaBrokers, log: testLog })
  const producer = kafka.producer()
  registerTeardown(async () => { await producer.disconnect() })
  await producer.connect()
  return {
    producer,
    send: async (topic, envelope, requestId = `req-${envelope.key}`) => {
      await producer.send({
        topic: prefix + TOPICS[topic],
        messages: [{ key: envelope.key, value: JSON.stringify(envelope), headers: { 'x-request-id': requestId, 'content-type': 'application/json' } }]
      })
    }
  }
}

export function orderPlaced (customerId: string, amountCents: number, paymentMethod: 'wallet' | 'card' = 'wallet'): Envelope<{ orderId: string, customerId: string, productId: number, quantity: number, amountCents: number, paymentMethod: 'wallet' | 'card' }> {
  const orderId = randomUUID()
  return createEnvelope(TOPICS.ordersPlaced, orderId, { orderId, customerId, productId: 1, quantity: 1, amountCents, paymentMethod })
}

export function orderCancelled (orderId: string, refundRequired = true): Envelope {
  return createEnvelope(TOPICS.ordersCancelled, orderId, { orderId, reason: 'test', refundRequired })
}

/** Collects the payments events (succeeded and failed) published under `prefix`, from the beginning; disconnects by registerTeardown. */
export async function collectPaymentEvents (prefix: string): Promise<{ events: Envelope[], requestIds: Map<string, string>, consumer: Consumer }> {
  const kafka = createKafka({ clientId: uniqueName('events-reader'), brokers: testInfra().kafkaBrokers, log: testLog })
  // The topics may not exist yet (payments creates them at boot): create them first, as it would.
  await ensureTopics(kafka, Object.values(TOPICS).map((t) => prefix + t))
  const consumer = kafka.consumer({ groupId: uniqueName('events-reader') })
  const events: Envelope[] = []
  /** Event id → its x-request-id header. */
  const requestIds = new Map<string, string>()
  registerTeardown(async () => { await consumer.disconnect() })
  await consumer.connect()
  await consumer.subscribe({ topics: [prefix + TOPICS.paymentsSucceeded, prefix + TOPICS.paymentsFailed], fromBeginning: true })
  const joined = new Promise<void>((resolve) => { const off = consumer.on(consumer.events.GROUP_JOIN, () => { off(); resolve() }) })
  await consumer.run({
    eachMessage: async ({ message }) => {
      const envelope = JSON.parse(String(message.value)) as Envelope
      events.push(envelope)
      const requestId = message.headers?.['x-request-id']
      if (requestId !== undefined) requestIds.set(envelope.id, String(requestId))
    }
  })
  await joined
  return { events, requestIds, consumer }
}

/** A pool on the service's database, for assertions on what is stored; ended by registerTeardown (before the database drops). */
export function dbPool (db: TestDatabase): pg.Pool {
  const pool = new pg.Pool({ connectionString: db.url, max: 3 })
  // An idle client ended by the server (the test database dropped WITH (FORCE) while a client's end is
  // still under way) is expected at teardown; without a listener the pool throws it as uncaught.
  pool.on('error', () => {})
  registerTeardown(async () => { await endPool(pool) })
  return pool
}

export async function paymentsByStatus (pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string, n: number }>('SELECT status, count(*)::int AS n FROM payments GROUP BY status')
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

/** A histogram's observation count and sum over the series matching `labels` (metricValue reads counters and gauges). */
export async function histogram (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<{ count: number, sum: number }> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return { count: 0, sum: 0 }
  const { values } = await metric.get()
  const matching = values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
  const total = (suffix: string) => matching.filter((v) => (v as { metricName?: string }).metricName === name + suffix).reduce((a, v) => a + v.value, 0)
  return { count: total('_count'), sum: total('_sum') }
}

export { eventually, metricValue } from '@lab/testkit'
export { startProvider, TEST_SECRET, type ChargeCall, type Provider } from './provider.js'
