import { randomUUID } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import { Registry } from 'prom-client'
import type { Consumer, Producer } from 'kafkajs'
import { testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { createEnvelope, createKafka, ensureTopics, type Envelope } from '@lab/messaging'
import { buildApp as buildProviderApp } from '@lab/provider/src/app.js'
import { loadProviderConfig } from '@lab/provider/src/config.js'
import { buildApp, type BuildOptions } from '../src/app.js'
import { loadPaymentsConfig } from '../src/config.js'
import { TOPICS } from '../src/events.js'

export const TEST_SECRET = 'payments-test-webhook-secret-0123'
export const SEED_WALLETS = 20
export const SEED_BALANCE_CENTS = 100_000

export interface Running {
  app: LabApp
  registry: Registry
  url: string
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

/** Payments built in-process and listening on a free port (the provider calls it back). The caller closes it. */
export async function startPayments (env: Record<string, string>, opts: BuildOptions = {}): Promise<Running> {
  const registry = new Registry()
  const app = await buildApp(loadPaymentsConfig(env), { registry, defaultMetrics: false, ...opts })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, registry, url }
}

/** The real provider app (services/provider), listening on a free port, with its fault knobs at `env`. */
export async function startProvider (env: Record<string, string> = {}): Promise<Running & { chargeCalls: ChargeCall[] }> {
  const registry = new Registry()
  const config = loadProviderConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    PROVIDER_WEBHOOK_SECRET: TEST_SECRET,
    PROVIDER_PROCESSING_DELAY_MS: '20',
    PROVIDER_CALLBACK_BASE_DELAY_MS: '50',
    PROVIDER_CALLBACK_MAX_DELAY_MS: '500',
    ...env
  })
  const app = await buildProviderApp(config, { registry, defaultMetrics: false })
  // Every POST /charges as it reaches the provider (before its fault knobs answer): what the breaker
  // and the retries let through, and when.
  const chargeCalls: ChargeCall[] = []
  app.addHook('preHandler', async (request) => {
    if (request.method === 'POST' && request.url === '/charges') chargeCalls.push({ chargeId: (request.body as { chargeId: string }).chargeId, at: performance.now() })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, registry, url, chargeCalls }
}

export interface ChargeCall { chargeId: string, at: number }

export async function setFaults (provider: Running, faults: { errorRate?: number, latencyMs?: number, declineRate?: number }): Promise<void> {
  const res = await provider.app.inject({ method: 'PUT', url: '/admin/faults', payload: faults })
  if (res.statusCode !== 200) throw new Error(`PUT /admin/faults answered ${res.statusCode}: ${res.body}`)
}

export const testLog = pino({ level: 'error' })

/** Produces order events onto the prefixed topics, as the orders service's outbox relay would. */
export async function orderProducer (prefix: string): Promise<{ producer: Producer, send: (topic: keyof typeof TOPICS, envelope: Envelope, requestId?: string) => Promise<void> }> {
  const kafka = createKafka({ clientId: uniqueName('orders-sim'), brokers: testInfra().kafkaBrokers, log: testLog })
  const producer = kafka.producer()
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

/** Collects the payments events (succeeded and failed) published under `prefix`, from the beginning. */
export async function collectPaymentEvents (prefix: string): Promise<{ events: Envelope[], requestIds: Map<string, string>, consumer: Consumer }> {
  const kafka = createKafka({ clientId: uniqueName('events-reader'), brokers: testInfra().kafkaBrokers, log: testLog })
  // The topics may not exist yet (payments creates them at boot): create them first, as it would.
  await ensureTopics(kafka, Object.values(TOPICS).map((t) => prefix + t))
  const consumer = kafka.consumer({ groupId: uniqueName('events-reader') })
  const events: Envelope[] = []
  /** Event id → its x-request-id header. */
  const requestIds = new Map<string, string>()
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

/** A pool on the service's database, for assertions on what is stored. */
export function dbPool (db: TestDatabase): pg.Pool {
  const pool = new pg.Pool({ connectionString: db.url, max: 3 })
  // An idle client ended by the server (the test database dropped WITH (FORCE) while a client's end is
  // still under way) is expected at teardown; without a listener the pool throws it as uncaught.
  pool.on('error', () => {})
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
