import { randomBytes, randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import pg from 'pg'
import { createEnvelope, ensureTopics, MESSAGING_MIGRATION_SQL, type Envelope } from '@lab/messaging'
import { address, DB_PASSWORD, DB_USER } from '../../infra/topology.js'

/** The handler's effect: one row per message and run (a run = one consumer draining a topic). */
const EFFECTS_SQL = `
CREATE TABLE bench_effects (
  run text NOT NULL,
  message_id text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (run, message_id)
);`

const postgresUrl = (database: string) => `postgres://${DB_USER}:${DB_PASSWORD}@${address('postgres', 'native')}/${database}`

export interface BenchDatabase {
  name: string
  /** Ten connections, as each lab service's pool. */
  pool: pg.Pool
  /** fsync and synchronous_commit as the server runs (a test run may have started it without either). */
  durability: { fsync: string, synchronousCommit: string }
  drop: () => Promise<void>
}

/**
 * A database of the bench's own on the lab's PostgreSQL (directly, not through Toxiproxy), with the
 * inbox table of @lab/messaging and the effects table; `drop()` removes it.
 */
export async function createBenchDatabase (): Promise<BenchDatabase> {
  const name = `bench_consumer_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl('postgres') })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).finally(async () => { await admin.end() })
  const pool = new pg.Pool({ connectionString: postgresUrl(name), max: 10 })
  // DROP … WITH (FORCE) at the end ends the pool's sessions; their errors are expected then.
  pool.on('error', () => {})
  await pool.query(MESSAGING_MIGRATION_SQL + EFFECTS_SQL)
  const setting = async (name: string) => (await pool.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]?.setting ?? '?'
  const durability = { fsync: await setting('fsync'), synchronousCommit: await setting('synchronous_commit') }
  return {
    name,
    pool,
    durability,
    drop: async () => {
      await pool.end()
      const client = new pg.Client({ connectionString: postgresUrl('postgres') })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`).finally(async () => { await client.end() })
    }
  }
}

export interface BenchData { n: number }

/** `count` envelopes with random keys (spread over the partitions) and their sequence number as data. */
export function benchEnvelopes (count: number): Array<Envelope<BenchData>> {
  return Array.from({ length: count }, (_, n) => createEnvelope('bench.consumer.v1', randomUUID(), { n }))
}

/** Creates `topics` with `partitions` each; returns a function that deletes them, their dead-letter topics and the bench's groups. */
export async function createBenchTopics (kafka: Kafka, topics: string[], partitions: number): Promise<() => Promise<void>> {
  await ensureTopics(kafka, topics, { partitions })
  return async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const existing = new Set(await admin.listTopics())
      const ours = [...topics, ...topics.map((t) => `${t}.dlq.v1`)].filter((t) => existing.has(t))
      if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 })
      if (groups.size > 0) await admin.deleteGroups([...groups])
    } finally {
      await admin.disconnect()
    }
  }
}

/**
 * Produces the envelopes `copies` times (all of them, then all again: a redelivery later in the log),
 * as the outbox relay does: key = envelope key, JSON value, x-request-id header. Returns the seconds taken.
 */
export async function produceEnvelopes (kafka: Kafka, topic: string, envelopes: Array<Envelope<BenchData>>, copies: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const started = performance.now()
  try {
    for (let copy = 0; copy < copies; copy++) {
      for (let i = 0; i < envelopes.length; i += 1000) {
        await producer.send({
          topic,
          messages: envelopes.slice(i, i + 1000).map((e) => ({
            key: e.key,
            value: JSON.stringify(e),
            headers: { 'x-request-id': e.id, 'content-type': 'application/json' }
          }))
        })
      }
    }
  } finally {
    await producer.disconnect()
  }
  return (performance.now() - started) / 1000
}

/** The consumer groups this run made, deleted at the end with the topics (benchGroup() registers them). */
const groups = new Set<string>()

export function benchGroup (prefix: string): string {
  const id = `${prefix}-${randomBytes(4).toString('hex')}`
  groups.add(id)
  return id
}

/** Rows the handler inserted for a run. */
export async function effectRows (pool: pg.Pool, run: string): Promise<number> {
  const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM bench_effects WHERE run = $1', [run])
  return Number(rows[0]?.count ?? 0)
}

export const insertEffect = async (client: pg.ClientBase, run: string, envelope: Envelope<BenchData>) => {
  await client.query('INSERT INTO bench_effects (run, message_id, n) VALUES ($1, $2, $3)', [run, envelope.id, envelope.data.n])
}
