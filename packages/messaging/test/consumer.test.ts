import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import type { Producer } from 'kafkajs'
import pg from 'pg'
import { createProxy, metricValue, uniqueName } from '@lab/testkit'
import {
  IdempotentConsumer, createEnvelope, deadLetterTopic, ensureTopics,
  type Envelope, type IdempotentConsumerOptions
} from '../src/index.js'
import { collect, endPool, eventually, log, migratedDatabase, testKafka, type TestDb } from './helpers.js'

let t: TestDb
let producer: Producer
const kafka = testKafka()
const running: IdempotentConsumer[] = []

beforeAll(async () => {
  t = await migratedDatabase()
  await t.pool.query('CREATE TABLE effects (id serial PRIMARY KEY, message_id text NOT NULL, request_id text NOT NULL, tx bigint NOT NULL DEFAULT txid_current())')
  producer = kafka.producer()
  await producer.connect()
})
afterEach(async () => { await Promise.all(running.splice(0).map(async (c) => { await c.stop() })) })
afterAll(async () => {
  await producer.disconnect()
  await t.close()
})

/** A fresh topic and a consumer of it whose handler records one `effects` row per message it applies. */
interface Setup { topic: string, registry: Registry, consumer: IdempotentConsumer, options: IdempotentConsumerOptions }

async function setup (overrides: Partial<IdempotentConsumerOptions> = {}): Promise<Setup> {
  const topic = uniqueName('consumer-topic')
  await ensureTopics(kafka, [topic], { partitions: 3 })
  const registry = new Registry()
  const options: IdempotentConsumerOptions = {
    kafka,
    pool: t.pool,
    groupId: uniqueName('group'),
    topics: [topic],
    consumerName: uniqueName('consumer'),
    registry,
    log,
    retryBackoffMs: 10,
    handle: async (client, envelope, ctx) => {
      await client.query('INSERT INTO effects (message_id, request_id) VALUES ($1, $2)', [envelope.id, ctx.requestId])
    },
    ...overrides
  }
  return { topic, registry, consumer: new IdempotentConsumer(options), options }
}

async function start (consumer: IdempotentConsumer): Promise<void> {
  running.push(consumer)
  await consumer.start()
}

async function send (topic: string, envelope: Envelope | string, requestId = 'req-1'): Promise<void> {
  const value = typeof envelope === 'string' ? envelope : JSON.stringify(envelope)
  const key = typeof envelope === 'string' ? 'poison' : envelope.key
  await producer.send({ topic, messages: [{ key, value, headers: { 'x-request-id': requestId, 'content-type': 'application/json' } }] })
}

async function effectsOf (ids: string[]): Promise<Map<string, number>> {
  const { rows } = await t.pool.query<{ message_id: string, n: number }>(
    'SELECT message_id, count(*)::int AS n FROM effects WHERE message_id = ANY($1) GROUP BY message_id', [ids])
  return new Map(rows.map((r) => [r.message_id, r.n]))
}

async function totalEffects (ids: string[]): Promise<number> {
  return [...(await effectsOf(ids)).values()].reduce((a, b) => a + b, 0)
}

describe('IdempotentConsumer', () => {
  it('exports its dead-letter and outcome series at 0 from its start, before any message (so increase() sees the first dead letter)', async () => {
    const { topic, registry, consumer, options } = await setup()
    await start(consumer)
    const series = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? []
    expect(await series('dlq_messages_total')).toEqual([expect.objectContaining({ value: 0, labels: { consumer: options.consumerName, topic } })])
    const outcomes = (await series('consumer_messages_total')).map((v) => v.labels.outcome).sort()
    expect(outcomes).toEqual(['dead_lettered', 'duplicate', 'processed', 'retried'])
  })

  it('applies each message once even when every message is produced twice', async () => {
    const { topic, registry, consumer } = await setup()
    await start(consumer)
    const envelopes = Array.from({ length: 20 }, (_, i) => createEnvelope(topic, `order-${i % 4}`, { i }))
    for (const envelope of envelopes) {
      await send(topic, envelope, `req-${envelope.data.i}`)
      await send(topic, envelope, `req-${envelope.data.i}`)
    }
    const ids = envelopes.map((e) => e.id)
    await eventually(async () => await metricValue(registry, 'consumer_messages_total') === 40, 20_000, '40 messages handled')
    const effects = await effectsOf(ids)
    expect([...effects.values()]).toEqual(Array(20).fill(1))
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' })).toBe(20)
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'duplicate' })).toBe(20)
    const { rows } = await t.pool.query<{ request_id: string }>('SELECT request_id FROM effects WHERE message_id = $1', [envelopes[3]?.id])
    expect(rows[0]?.request_id).toBe('req-3') // the x-request-id header reaches the handler
  })

  it('redelivers a message after a crash between its effect and its offset commit, without a second effect', async () => {
    let crashes = 0
    const { topic, registry, consumer, options } = await setup({
      observer: {
        onBatchApplied: async () => {
          crashes += 1
          throw new Error('process died here')
        }
      }
    })
    await start(consumer)
    const envelope = createEnvelope(topic, 'order-1', { n: 1 })
    await send(topic, envelope)
    await eventually(async () => await totalEffects([envelope.id]) === 1 && crashes === 1, 20_000, 'effect applied before the crash')
    await consumer.stop()

    // A new instance of the same consumer (same group, same name) gets the message again and skips it.
    const restarted = new IdempotentConsumer({ ...options, observer: undefined })
    await start(restarted)
    await eventually(async () => await metricValue(registry, 'consumer_messages_total', { outcome: 'duplicate' }) === 1, 20_000, 'redelivered duplicate')
    expect(await totalEffects([envelope.id])).toBe(1)

    // And now its offset is committed: a third instance sees nothing.
    await restarted.stop()
    const third = new IdempotentConsumer({ ...options, observer: undefined })
    await start(third)
    const next = createEnvelope(topic, 'order-1', { n: 2 })
    await send(topic, next)
    await eventually(async () => await totalEffects([next.id]) === 1, 20_000, 'next message processed')
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'duplicate' })).toBe(1)
  })

  it('sends a malformed message to the dead-letter topic at once and keeps going', async () => {
    let calls = 0
    const { topic, registry, consumer } = await setup({
      handle: async (client, envelope, ctx) => {
        calls += 1
        await client.query('INSERT INTO effects (message_id, request_id) VALUES ($1, $2)', [envelope.id, ctx.requestId])
      }
    })
    await start(consumer)
    await send(topic, '{"this is": not json', 'req-poison')
    const good = createEnvelope(topic, 'poison', { ok: true }) // same key: same partition, behind the poison
    await send(topic, good)
    await eventually(async () => await totalEffects([good.id]) === 1, 20_000, 'the next message processed')
    expect(calls).toBe(1)

    const [letter] = await collect(kafka, deadLetterTopic(topic), 1)
    expect(letter?.message.value?.toString()).toBe('{"this is": not json')
    expect(letter?.message.headers?.['x-error']?.toString()).toMatch(/^malformed JSON/)
    expect(letter?.message.headers?.['x-attempts']?.toString()).toBe('0')
    expect(letter?.message.headers?.['x-request-id']?.toString()).toBe('req-poison')
    expect(await metricValue(registry, 'dlq_messages_total', { topic })).toBe(1)
    expect(await metricValue(registry, 'consumer_messages_total', { topic, outcome: 'dead_lettered' })).toBe(1)
  })

  it('retries a failing handler, then dead-letters the message with x-error and moves on', async () => {
    const attempts = new Map<string, number>()
    const { topic, registry, consumer } = await setup({
      maxAttempts: 3,
      handle: async (client, envelope, ctx) => {
        attempts.set(envelope.id, ctx.attempt)
        // Written before failing: must be rolled back with the failure.
        await client.query('INSERT INTO effects (message_id, request_id) VALUES ($1, $2)', [envelope.id, ctx.requestId])
        if ((envelope.data as { fail: boolean }).fail) throw new Error('price service said no')
      }
    })
    await start(consumer)
    const bad = createEnvelope(topic, 'order-9', { fail: true })
    const good = createEnvelope(topic, 'order-9', { fail: false })
    await send(topic, bad)
    await send(topic, good)
    await eventually(async () => await totalEffects([good.id]) === 1, 20_000, 'the message after the failing one')
    expect(attempts.get(bad.id)).toBe(3)
    expect(await totalEffects([bad.id])).toBe(0)
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'retried' })).toBe(2)
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'dead_lettered' })).toBe(1)

    const [letter] = await collect(kafka, deadLetterTopic(topic), 1)
    expect(JSON.parse(letter?.message.value?.toString() ?? '{}')).toEqual(bad)
    expect(letter?.message.key?.toString()).toBe('order-9')
    expect(letter?.message.headers?.['x-error']?.toString()).toBe('Error: price service said no')
    expect(letter?.message.headers?.['x-attempts']?.toString()).toBe('3')
    expect(letter?.message.headers?.['x-original-topic']?.toString()).toBe(topic)
  })

  it('applies a backlog in batches: few transactions, each message once, duplicates within a batch skipped', async () => {
    const { topic, registry, consumer } = await setup({ batchSize: 50 })
    // Produced before the consumer starts, so it fetches them as big batches (one key: one partition).
    const envelopes = Array.from({ length: 100 }, (_, i) => createEnvelope(topic, 'order-b', { i }))
    await producer.send({
      topic,
      messages: envelopes.flatMap((e) => [e, e]).map((e) => ({ key: e.key, value: JSON.stringify(e), headers: { 'x-request-id': `req-${e.data.i}` } }))
    })
    await start(consumer)
    await eventually(async () => await metricValue(registry, 'consumer_messages_total') === 200, 20_000, '200 messages handled')
    const ids = envelopes.map((e) => e.id)
    expect([...(await effectsOf(ids)).values()]).toEqual(Array(100).fill(1))
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' })).toBe(100)
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'duplicate' })).toBe(100)
    // 100 effects in at most 200 / 50 = 4 transactions (fewer when a batch held fewer than 50 messages).
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(DISTINCT tx)::int AS n FROM effects WHERE message_id = ANY($1)', [ids])
    expect(rows[0]?.n).toBeLessThanOrEqual(4)
  })

  it('isolates a failing message of a batch: the batch is redone one by one, only that message is retried and dead-lettered', async () => {
    const attempts = new Map<string, number[]>()
    const { topic, registry, consumer } = await setup({
      maxAttempts: 3,
      handle: async (client, envelope, ctx) => {
        attempts.set(envelope.id, [...attempts.get(envelope.id) ?? [], ctx.attempt])
        await client.query('INSERT INTO effects (message_id, request_id) VALUES ($1, $2)', [envelope.id, ctx.requestId])
        if ((envelope.data as { fail: boolean }).fail) throw new Error('this one cannot be applied')
      }
    })
    const envelopes = Array.from({ length: 10 }, (_, i) => createEnvelope(topic, 'order-f', { i, fail: i === 4 }))
    await producer.send({ topic, messages: envelopes.map((e) => ({ key: e.key, value: JSON.stringify(e) })) })
    await start(consumer)
    await eventually(async () => await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' }) === 9, 20_000, 'the nine good messages')
    const bad = envelopes[4] as Envelope
    const good = envelopes.filter((e) => e !== bad).map((e) => e.id)
    expect([...(await effectsOf(good)).values()]).toEqual(Array(9).fill(1))
    expect(await totalEffects([bad.id])).toBe(0)
    expect(attempts.get(bad.id)).toEqual([1, 2, 3]) // the batch's try was attempt 1
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'retried' })).toBe(2)
    expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'dead_lettered' })).toBe(1)
    const [letter] = await collect(kafka, deadLetterTopic(topic), 1)
    expect(JSON.parse(letter?.message.value?.toString() ?? '{}')).toEqual(bad)
    expect(letter?.message.headers?.['x-attempts']?.toString()).toBe('3')
  })

  it('leaves a message uncommitted while Postgres is unreachable, and applies it once it is back (no DLQ)', async () => {
    const proxy = await createProxy('postgres')
    const pool = new pg.Pool({ connectionString: viaProxy(t.db.url, proxy.address), connectionTimeoutMillis: 500, max: 2 })
    pool.on('error', () => {}) // idle clients cut by the proxy
    try {
      const { topic, registry, consumer } = await setup({ pool })
      await start(consumer)
      await proxy.disable()
      const envelope = createEnvelope(topic, 'order-5', { n: 5 })
      await send(topic, envelope)
      await new Promise((resolve) => setTimeout(resolve, 3000))
      expect(await totalEffects([envelope.id])).toBe(0)
      await proxy.enable()
      await eventually(async () => await totalEffects([envelope.id]) === 1, 30_000, 'applied after Postgres came back')
      expect(await metricValue(registry, 'dlq_messages_total')).toBe(0)
      expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' })).toBe(1)
    } finally {
      await Promise.all(running.splice(0).map(async (c) => { await c.stop() }))
      await endPool(pool)
      await proxy.remove()
    }
  }, 60_000)
})

function viaProxy (url: string, address: string): string {
  const parsed = new URL(url)
  parsed.host = address
  return parsed.toString()
}
