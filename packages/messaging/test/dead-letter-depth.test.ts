import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import { pino } from 'pino'
import type { Admin, Producer } from 'kafkajs'
import { metricValue, uniqueName } from '@lab/testkit'
import {
  ConsumerLagMonitor, IdempotentConsumer, createEnvelope, deadLetterTopic, ensureTopics, isDeadLetterTopic, purgeDeadLetters
} from '../src/index.js'
import { eventually, log, migratedDatabase, testKafka, type TestDb } from './helpers.js'

const kafka = testKafka()
let producer: Producer
let admin: Admin
let t: TestDb
const stoppable: Array<{ stop: () => Promise<void> }> = []

beforeAll(async () => {
  t = await migratedDatabase()
  producer = kafka.producer()
  await producer.connect()
  admin = kafka.admin()
  await admin.connect()
})
afterEach(async () => { await Promise.all(stoppable.splice(0).map(async (s) => { await s.stop() })) })
afterAll(async () => {
  await admin.disconnect()
  await producer.disconnect()
  await t.close()
})

/** A consumed topic and its dead-letter topic, both created (as IdempotentConsumer.start does). */
async function topicWithDeadLetters (): Promise<{ topic: string, dlq: string }> {
  const topic = uniqueName('dlq-depth')
  await ensureTopics(kafka, [topic, deadLetterTopic(topic)], { partitions: 3 })
  return { topic, dlq: deadLetterTopic(topic) }
}

function monitor (registry: Registry, topic: string, logger = log): ConsumerLagMonitor {
  const m = new ConsumerLagMonitor({ kafka, registry, log: logger, groupId: uniqueName('dlq-group'), topics: [topic], intervalMs: 100 })
  stoppable.push(m)
  m.start()
  return m
}

async function depth (registry: Registry, topic: string): Promise<number> {
  return await metricValue(registry, 'kafka_dlq_depth', { topic })
}

async function park (dlq: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await producer.send({ topic: dlq, messages: [{ key: `key-${i}`, value: `letter-${i}` }] })
}

describe('isDeadLetterTopic', () => {
  it('recognises the names deadLetterTopic gives, and only those', () => {
    expect(isDeadLetterTopic(deadLetterTopic('orders.placed.v1'))).toBe(true)
    expect(isDeadLetterTopic('orders.placed.v1')).toBe(false)
    expect(isDeadLetterTopic('.dlq.v1')).toBe(false)
  })
})

describe('kafka_dlq_depth (ConsumerLagMonitor)', () => {
  it('counts the messages a dead-letter topic holds, and 0 again once they are purged', async () => {
    const { topic, dlq } = await topicWithDeadLetters()
    const registry = new Registry()
    monitor(registry, topic)
    await eventually(async () => (await registry.getSingleMetric('kafka_dlq_depth')!.get()).values.length === 1, 10_000, 'a first reading')
    expect(await depth(registry, dlq)).toBe(0)

    await park(dlq, 5)
    await eventually(async () => await depth(registry, dlq) === 5, 10_000, 'depth 5')
    expect(await metricValue(registry, 'kafka_consumer_lag', { topic: dlq })).toBe(0) // nobody consumes it: no lag series

    expect(await purgeDeadLetters(admin, dlq)).toBe(5)
    await eventually(async () => await depth(registry, dlq) === 0, 10_000, 'depth 0 after the purge')
    expect(await purgeDeadLetters(admin, dlq)).toBe(0) // nothing left: nothing to delete

    await park(dlq, 2) // the topic stays, and counts what arrives after the purge
    await eventually(async () => await depth(registry, dlq) === 2, 10_000, 'depth 2 after new dead letters')
  })

  it('rises when an IdempotentConsumer dead-letters a message', async () => {
    const { topic, dlq } = await topicWithDeadLetters()
    const registry = new Registry()
    const consumer = new IdempotentConsumer({
      kafka,
      pool: t.pool,
      groupId: uniqueName('dlq-group'),
      topics: [topic],
      consumerName: uniqueName('dlq-consumer'),
      registry,
      log,
      maxAttempts: 1,
      lagIntervalMs: 100,
      handle: async () => { throw new Error('always fails') }
    })
    await consumer.start()
    stoppable.push(consumer)
    const envelope = createEnvelope(topic, 'order-1', {})
    await producer.send({ topic, messages: [{ key: envelope.key, value: JSON.stringify(envelope) }] })
    await eventually(async () => await depth(registry, dlq) === 1, 20_000, 'depth 1')
  }, 40_000)

  it('reports 0 for a dead-letter topic that does not exist yet, without a warning', async () => {
    const topic = uniqueName('dlq-depth')
    await ensureTopics(kafka, [topic], { partitions: 1 })
    const lines: Array<Record<string, unknown>> = []
    const captured = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
    const registry = new Registry()
    monitor(registry, topic, captured)
    await eventually(async () => (await registry.getSingleMetric('kafka_dlq_depth')!.get()).values.length === 1, 10_000, 'a first reading')
    expect(await depth(registry, deadLetterTopic(topic))).toBe(0)
    expect(lines.filter((l) => l.component === 'consumer-lag' && Number(l.level) >= 40)).toEqual([])
    expect(await admin.listTopics()).not.toContain(deadLetterTopic(topic)) // reading it did not create it
  })
})

describe('purgeDeadLetters', () => {
  it('refuses a topic that is not a dead-letter topic', async () => {
    const { topic } = await topicWithDeadLetters()
    await expect(purgeDeadLetters(admin, topic)).rejects.toThrow(/not a dead-letter topic/)
  })
})
