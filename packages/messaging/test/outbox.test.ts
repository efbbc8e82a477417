import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import pg from 'pg'
import { closedPort, createProxy, metricValue, uniqueName } from '@lab/testkit'
import { OutboxRelay, createEnvelope, createKafka, enqueueOutbox, ensureTopics, parseEnvelope, type OutboxRelayOptions } from '../src/index.js'
import { collect, endPool, eventually, log, migratedDatabase, testKafka, type TestDb } from './helpers.js'

let t: TestDb
const kafka = testKafka()
const relays: OutboxRelay[] = []

beforeAll(async () => { t = await migratedDatabase() })
afterAll(async () => {
  await Promise.all(relays.map(async (relay) => { await relay.stop() }))
  await t.close()
})

function relay (options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const r = new OutboxRelay({ pool: t.pool, kafka, log, registry: new Registry(), service: 'test', lockRetryMs: 100, maxBackoffMs: 500, ...options })
  relays.push(r)
  return r
}

/** Enqueue `perKey` events for each key, one transaction per event, interleaving the keys. */
async function enqueue (topic: string, keys: string[], perKey: number, pool = t.pool): Promise<void> {
  for (let seq = 0; seq < perKey; seq++) {
    for (const key of keys) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await enqueueOutbox(client, { topic, envelope: createEnvelope(topic, key, { seq }), requestId: `req-${key}-${seq}` })
        await client.query('COMMIT')
      } finally {
        client.release()
      }
    }
  }
}

async function unsent (topic: string, pool = t.pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND sent_at IS NULL', [topic])
  return rows[0]?.n ?? 0
}

/** Each key's `seq` values in the order Kafka delivered them. */
function sequencesByKey (messages: Awaited<ReturnType<typeof collect>>): Map<string, number[]> {
  const byKey = new Map<string, number[]>()
  for (const { message } of messages) {
    const parsed = parseEnvelope(message.value)
    if (!parsed.ok) throw new Error(parsed.error)
    const seqs = byKey.get(parsed.envelope.key) ?? []
    seqs.push((parsed.envelope.data as { seq: number }).seq)
    byKey.set(parsed.envelope.key, seqs)
  }
  return byKey
}

describe('OutboxRelay', () => {
  it('publishes outbox rows in order per key, with their headers, and marks them sent', async () => {
    const topic = uniqueName('outbox-order')
    await ensureTopics(kafka, [topic], { partitions: 3 })
    const keys = ['order-a', 'order-b', 'order-c', 'order-d']
    await enqueue(topic, keys, 10)
    const registry = new Registry()
    relay({ registry, batchSize: 7 }).start()

    const messages = await collect(kafka, topic, 40)
    const byKey = sequencesByKey(messages)
    for (const key of keys) expect(byKey.get(key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const first = messages[0]?.message
    expect(first?.headers?.['content-type']?.toString()).toBe('application/json')
    expect(first?.headers?.['x-request-id']?.toString()).toMatch(/^req-order-/)
    expect(first?.key?.toString()).toMatch(/^order-/)

    await eventually(async () => await unsent(topic) === 0, 10_000, 'rows marked sent')
    await eventually(async () => await metricValue(registry, 'outbox_backlog', { service: 'test' }) === 0, 5000, 'backlog gauge at 0')
    expect(await metricValue(registry, 'outbox_published_total', { service: 'test' })).toBe(40)
  })

  it('publishes nothing for a transaction that rolled back', async () => {
    const topic = uniqueName('outbox-rollback')
    await ensureTopics(kafka, [topic], { partitions: 1 })
    const client = await t.pool.connect()
    try {
      await client.query('BEGIN')
      await enqueueOutbox(client, { topic, envelope: createEnvelope(topic, 'k', { seq: -1 }) })
      await client.query('ROLLBACK')
      await client.query('BEGIN')
      await enqueueOutbox(client, { topic, envelope: createEnvelope(topic, 'k', { seq: 1 }) })
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    relay().start()
    const messages = await collect(kafka, topic, 1)
    await new Promise((resolve) => setTimeout(resolve, 500)) // would a second one arrive?
    expect(sequencesByKey(messages).get('k')).toEqual([1])
    expect(await unsent(topic)).toBe(0)
  })

  it('keeps the rows while Kafka is unreachable, then publishes the backlog in order', async () => {
    const own = await migratedDatabase()
    try {
      const topic = uniqueName('outbox-outage')
      await ensureTopics(kafka, [topic], { partitions: 3 })
      await enqueue(topic, ['order-x', 'order-y'], 5, own.pool)
      // Kafka is "down" for this relay: its only broker address answers nothing.
      const registry = new Registry()
      const cutOff = relay({ pool: own.pool, registry, kafka: testKafka(['127.0.0.1:1'], { retries: 0 }) })
      cutOff.start()
      await eventually(async () => await metricValue(registry, 'outbox_publish_errors_total') >= 2, 15_000, 'publish errors')
      expect(cutOff.isLeader).toBe(true)
      expect(await unsent(topic, own.pool)).toBe(10)
      expect(await metricValue(registry, 'outbox_backlog')).toBe(10)
      expect(await metricValue(registry, 'outbox_oldest_unsent_age_seconds')).toBeGreaterThan(0)
      await enqueue(topic, ['order-x', 'order-y'], 1, own.pool) // more events arrive during the outage
      await cutOff.stop()

      // Kafka is back (a relay that reaches it): the backlog goes out, in order, nothing skipped.
      relay({ pool: own.pool }).start()
      const byKey = sequencesByKey(await collect(kafka, topic, 12))
      expect(byKey.get('order-x')).toEqual([0, 1, 2, 3, 4, 0])
      expect(byKey.get('order-y')).toEqual([0, 1, 2, 3, 4, 0])
      await eventually(async () => await unsent(topic, own.pool) === 0, 10_000, 'backlog drained')
    } finally {
      await Promise.all(relays.splice(0).map(async (r) => { await r.stop() }))
      await own.close()
    }
  })

  it('lets only one relay per database publish, and a standby takes over when it stops', async () => {
    const own = await migratedDatabase()
    try {
      const topic = uniqueName('outbox-leader')
      await ensureTopics(kafka, [topic], { partitions: 1 })
      const a = relay({ pool: own.pool })
      const b = relay({ pool: own.pool })
      a.start()
      b.start()
      await eventually(() => a.isLeader || b.isLeader, 5000, 'a leader')
      await new Promise((resolve) => setTimeout(resolve, 300)) // give the standby time to (wrongly) grab the lock too
      expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1)
      const [leader, standby] = a.isLeader ? [a, b] : [b, a]
      await enqueue(topic, ['k'], 1, own.pool)
      await eventually(async () => await unsent(topic, own.pool) === 0, 10_000, 'first event published')

      await leader.stop()
      await eventually(() => standby.isLeader, 5000, 'standby takes over')
      await enqueue(topic, ['k'], 1, own.pool)
      expect(sequencesByKey(await collect(kafka, topic, 2)).get('k')).toEqual([0, 0])
      await eventually(async () => await unsent(topic, own.pool) === 0, 10_000, 'second event published')
    } finally {
      await Promise.all(relays.splice(0).map(async (r) => { await r.stop() }))
      await own.close()
    }
  })

  it('survives losing its Postgres connection: it takes the lock again and goes on publishing', async () => {
    const own = await migratedDatabase()
    const proxy = await createProxy('postgres')
    const url = new URL(own.db.url)
    url.host = proxy.address
    const pool = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 500 })
    pool.on('error', () => {}) // idle clients cut by the proxy
    try {
      const topic = uniqueName('outbox-pg-outage')
      await ensureTopics(kafka, [topic], { partitions: 1 })
      const r = relay({ pool })
      r.start()
      await eventually(() => r.isLeader, 5000, 'leader')
      await proxy.disable() // kills the relay's lock connection
      await eventually(() => !r.isLeader, 5000, 'leadership lost with the connection')
      await enqueue(topic, ['k'], 3, own.pool) // written through a direct connection meanwhile
      await new Promise((resolve) => setTimeout(resolve, 500))
      await proxy.enable()
      expect(sequencesByKey(await collect(kafka, topic, 3)).get('k')).toEqual([0, 1, 2])
      await eventually(() => r.isLeader, 5000, 'leader again')
      await eventually(async () => await unsent(topic, own.pool) === 0, 10_000, 'rows marked sent')
    } finally {
      await Promise.all(relays.splice(0).map(async (x) => { await x.stop() }))
      await endPool(pool)
      await proxy.remove()
      await own.close()
    }
  })

  it('keeps its backlog gauges current while Kafka does not answer and its loop waits out kafkajs\' retries', async () => {
    // A database of its own: the publisher lock is per database, and this file's other relays hold it here.
    const own = await migratedDatabase()
    try {
      // Nothing listens there, and kafkajs retries the producer's connect for ~15 s before it gives up.
      const unreachable = createKafka({ clientId: uniqueName('outbox-no-kafka'), brokers: [`127.0.0.1:${await closedPort()}`], log, retry: { initialRetryTime: 1500, retries: 4 } })
      const registry = new Registry()
      const stuck = new OutboxRelay({ pool: own.pool, kafka: unreachable, log, registry, service: 'test' })
      stuck.start()
      await eventually(async () => await metricValue(registry, 'outbox_relay_leader', { service: 'test' }) === 1, 10_000, 'the relay is the publisher')
      await enqueue(uniqueName('outbox-stuck'), ['order-a'], 5, own.pool)

      await eventually(async () => await metricValue(registry, 'outbox_backlog', { service: 'test' }) === 5, 3000, 'backlog gauge at 5 within 3 s')
      expect(await metricValue(registry, 'outbox_oldest_unsent_age_seconds', { service: 'test' })).toBeGreaterThan(0)
      // Still inside its first connect: no publish failed yet, so the gauges came from the timer, not the error path.
      expect(await metricValue(registry, 'outbox_publish_errors_total', { service: 'test' })).toBe(0)
      await stuck.stop()
    } finally {
      await own.close()
    }
  }, 60_000)
})
