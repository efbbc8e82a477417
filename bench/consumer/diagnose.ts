/**
 * Where an idempotent consumer's time goes, each piece measured alone on the same Kafka, database
 * and topic, and two prototypes of a faster consumer with the same guarantee (inbox row and effect
 * in one transaction, offset committed only after it). Nothing here changes @lab/messaging.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, ConsumerRunConfig, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { Envelope } from '@lab/messaging'
import { benchGroup, insertEffect, type BenchData } from './setup.js'

export interface Rate { messages: number, seconds: number, perSecond: number, msPerMessage: number }

const rate = (messages: number, seconds: number): Rate => ({ messages, seconds, perSecond: messages / seconds, msPerMessage: (1000 * seconds) / messages })
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`

/**
 * What IdempotentConsumer does in Postgres for each message (consumer-apply.ts applyOne), without Kafka,
 * one after the other: a pool connection, BEGIN, the inbox INSERT, the effect INSERT, COMMIT.
 * `synchronousCommit: 'off'` lets COMMIT return before the WAL is flushed: the difference is the flush.
 * @see https://www.postgresql.org/docs/15/wal-async-commit.html
 */
export async function postgresPerMessage (pool: pg.Pool, messages: number, synchronousCommit: 'on' | 'off'): Promise<Rate> {
  const run = unique(`pg-${synchronousCommit}`)
  const started = performance.now()
  for (let n = 0; n < messages; n++) {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      if (synchronousCommit === 'off') await client.query('SET LOCAL synchronous_commit = off')
      await client.query('INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [run, randomUUID()])
      await insertEffect(client, run, { id: randomUUID(), type: 'bench', occurredAt: '', key: '', data: { n } })
      await client.query('COMMIT')
    } finally {
      client.release()
    }
  }
  return rate(messages, (performance.now() - started) / 1000)
}

/** `done()`: enough messages were counted, leave the rest; `count(n)`: n more messages handled. */
interface Tally { done: () => boolean, count: (n?: number) => void }
type RunConfig = (consumer: Consumer, tally: Tally) => ConsumerRunConfig

/**
 * A plain kafkajs consumer in a new group reading `topic` from the start, timed from the group join
 * until `expected` messages were counted (then it is stopped).
 */
async function timedConsumer (kafka: Kafka, topic: string, expected: number, config: RunConfig): Promise<Rate> {
  const consumer = kafka.consumer({ groupId: benchGroup('bench-diagnose'), maxWaitTimeInMs: 1000 })
  let joinedAt = Number.NaN
  consumer.on(consumer.events.GROUP_JOIN, () => { joinedAt = performance.now() })
  let counted = 0
  let countedAtDone = 0
  let doneAt = Number.NaN
  let lastProgress = performance.now()
  const tally: Tally = {
    done: () => counted >= expected,
    count: (n = 1) => {
      counted += n
      lastProgress = performance.now()
      if (counted < expected || !Number.isNaN(doneAt)) return
      doneAt = performance.now()
      countedAtDone = counted
    }
  }
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run(config(consumer, tally))
    while (Number.isNaN(doneAt)) {
      if (performance.now() - lastProgress > 30_000) throw new Error(`stuck at ${counted}/${expected} messages for 30 s`)
      await sleep(10)
    }
  } finally {
    await consumer.disconnect()
  }
  return rate(countedAtDone, (doneAt - joinedAt) / 1000)
}

/** Fetching and iterating only, offsets committed by kafkajs after each batch: the ceiling. */
export async function kafkaFetchOnly (kafka: Kafka, topic: string, expected: number): Promise<Rate> {
  return await timedConsumer(kafka, topic, expected, (_consumer, { done, count }) => ({
    eachMessage: async () => { if (!done()) count() }
  }))
}

/** No database, but the offset committed after every message, as IdempotentConsumer does. */
export async function kafkaCommitEach (kafka: Kafka, topic: string, expected: number): Promise<Rate> {
  return await timedConsumer(kafka, topic, expected, (consumer, { done, count }) => ({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (done()) return
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
      count()
    }
  }))
}

const parse = (value: Buffer | null) => JSON.parse(value?.toString() ?? '{}') as Envelope<BenchData>

/**
 * Prototype 1: the package's transaction per message, unchanged, but no offset commit per message:
 * kafkajs commits the resolved offsets after each batch (autoCommit). Safe with an inbox: a crash
 * before that commit redelivers messages whose rows exist, and they are skipped as duplicates.
 */
export async function transactionEachAutoCommit (kafka: Kafka, pool: pg.Pool, topic: string, expected: number): Promise<Rate> {
  const run = unique('tx-each')
  return await timedConsumer(kafka, topic, expected, (_consumer, { done, count }) => ({
    eachMessage: async ({ message }) => {
      if (done()) return
      const envelope = parse(message.value)
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const claimed = await client.query('INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [run, envelope.id])
        if (claimed.rowCount === 1) await insertEffect(client, run, envelope)
        await client.query('COMMIT')
      } finally {
        client.release()
      }
      count()
    }
  }))
}

/**
 * Prototype 2: eachBatch, one transaction per batch: the batch's inbox rows in one INSERT … SELECT
 * unnest(…) ON CONFLICT DO NOTHING RETURNING (the new ones), the handler's effect for each new
 * message, COMMIT, then one offset commit for the batch. One WAL flush and one Kafka round trip per
 * batch instead of per message.
 * @see https://kafka.js.org/docs/consuming#a-name-each-batch-a-eachbatch
 */
export async function transactionPerBatch (kafka: Kafka, pool: pg.Pool, topic: string, expected: number): Promise<Rate> {
  const run = unique('tx-batch')
  return await timedConsumer(kafka, topic, expected, (consumer, { done, count }) => ({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0 || done()) return
      const envelopes = batch.messages.map((m) => parse(m.value))
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const { rows } = await client.query<{ message_id: string }>(
          'INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING message_id',
          [run, envelopes.map((e) => e.id)])
        const fresh = new Set(rows.map((r) => r.message_id))
        for (const envelope of envelopes) if (fresh.delete(envelope.id)) await insertEffect(client, run, envelope)
        await client.query('COMMIT')
      } finally {
        client.release()
      }
      resolveOffset(batch.lastOffset())
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }])
      count(batch.messages.length)
      await heartbeat()
    }
  }))
}
