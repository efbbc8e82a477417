import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import { Registry } from 'prom-client'
import type { Producer } from 'kafkajs'
import { metricValue, testInfra, uniqueName } from '@lab/testkit'
import { IdempotentConsumer, createEnvelope, ensureTopics, manageConsumer, type Envelope, type IdempotentConsumerOptions } from '../src/index.js'
import { eventually, log, migratedDatabase, testKafka, type TestDb } from './helpers.js'

let t: TestDb
let producer: Producer
const kafka = testKafka()

beforeAll(async () => {
  t = await migratedDatabase()
  await t.pool.query('CREATE TABLE effects (message_id text NOT NULL)')
  producer = kafka.producer()
  await producer.connect()
})
afterAll(async () => {
  await producer?.disconnect()
  await t?.close()
})

async function options (overrides: Partial<IdempotentConsumerOptions> = {}): Promise<IdempotentConsumerOptions> {
  const topic = uniqueName('restart-topic')
  await ensureTopics(kafka, [topic], { partitions: 1 })
  return {
    kafka,
    pool: t.pool,
    groupId: uniqueName('restart-group'),
    topics: [topic],
    consumerName: uniqueName('restart'),
    registry: new Registry(),
    log,
    lagIntervalMs: 0,
    handle: async (client, envelope) => { await client.query('INSERT INTO effects (message_id) VALUES ($1)', [envelope.id]) },
    ...overrides
  }
}

const send = async (topic: string, envelope: Envelope) => {
  await producer.send({ topic, messages: [{ key: envelope.key, value: JSON.stringify(envelope) }] })
}
const effects = async (ids: string[]) => (await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE message_id = ANY($1)', [ids])).rows[0]?.n

describe('IdempotentConsumer after a crash kafkajs does not restart from', () => {
  it('makes a new consumer when a handler slower than the session got it dropped from its group, and applies every message once', async () => {
    const slow = new Set<string>()
    const opts = await options({
      sessionTimeoutMs: 6000, // the broker's group.min.session.timeout.ms
      handle: async (client, envelope) => {
        // The first delivery of a "slow" message outlives the session: no heartbeat, the coordinator drops the member,
        // and the offset commit after it is refused ("The coordinator is not aware of this member").
        if ((envelope.data as { slow?: boolean }).slow === true && !slow.has(envelope.id)) { slow.add(envelope.id); await sleep(9000) }
        await client.query('INSERT INTO effects (message_id) VALUES ($1)', [envelope.id])
      }
    })
    const consumer = new IdempotentConsumer(opts)
    const [topic] = opts.topics as [string]
    try {
      await consumer.start()
      const first = createEnvelope(topic, 'k', { slow: true })
      await send(topic, first)
      await eventually(async () => await metricValue(opts.registry, 'kafka_consumer_restarts_total', { consumer: opts.consumerName }) >= 1, 40_000, 'the consumer restarted')
      const later = Array.from({ length: 5 }, (_, i) => createEnvelope(topic, 'k', { i }))
      for (const e of later) await send(topic, e)
      const ids = [first.id, ...later.map((e) => e.id)]
      await eventually(async () => await effects(ids) === 6, 30_000, 'every message applied after the restart')
      await sleep(500)
      expect(await effects(ids)).toBe(6) // the slow one once, although it was delivered again after the restart
      expect(consumer.joined).toBe(true)
      expect(await metricValue(opts.registry, 'consumer_messages_total', { consumer: opts.consumerName, outcome: 'duplicate' })).toBeGreaterThanOrEqual(1)
    } finally {
      await consumer.stop()
    }
  }, 90_000)
})

describe('manageConsumer', () => {
  let child: ChildProcess | undefined
  afterAll(() => { child?.kill('SIGKILL') })

  it('lets the app start while a SIGKILLed member still holds the group, then joins and consumes', async () => {
    const opts = await options()
    const [topic] = opts.topics as [string]
    const fixture = fileURLToPath(new URL('./fixtures/join-and-hang.ts', import.meta.url))
    const sessionMs = 15_000
    child = spawn(process.execPath, ['--import', 'tsx', fixture, testInfra().kafkaBrokers.join(','), opts.groupId, topic, String(sessionMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('the fixture did not join within 30 s')) }, 30_000)
      child?.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('joined')) { clearTimeout(timer); resolve() } })
    })
    child.kill('SIGKILL') // leaves the group without a goodbye: the coordinator waits out its session

    const consumer = new IdempotentConsumer(opts)
    const app = Fastify()
    manageConsumer(app, consumer, { joinWaitMs: 1000 })
    const startedAt = performance.now()
    try {
      await app.ready()
      expect(performance.now() - startedAt).toBeLessThan(sessionMs / 2)
      expect(consumer.joined).toBe(false)
      const e = createEnvelope(topic, 'k', {})
      await send(topic, e)
      await eventually(async () => await effects([e.id]) === 1, sessionMs + 30_000, 'the message applied once the dead member is gone')
      expect(consumer.joined).toBe(true)
    } finally {
      await app.close()
    }
  }, 90_000)

  it('closes the app cleanly while the consumer is still joining', async () => {
    const opts = await options()
    const [topic] = opts.topics as [string]
    const fixture = fileURLToPath(new URL('./fixtures/join-and-hang.ts', import.meta.url))
    const hung = spawn(process.execPath, ['--import', 'tsx', fixture, testInfra().kafkaBrokers.join(','), opts.groupId, topic, '30000'], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => { hung.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('joined')) resolve() }) })
    hung.kill('SIGKILL')
    const app = Fastify()
    manageConsumer(app, new IdempotentConsumer(opts), { joinWaitMs: 500 })
    await app.ready()
    const closing = performance.now()
    await app.close()
    expect(performance.now() - closing).toBeLessThan(10_000)
  }, 60_000)
})
