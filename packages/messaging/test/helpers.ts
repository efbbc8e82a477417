import pg from 'pg'
import { pino } from 'pino'
import type { Kafka, KafkaMessage } from 'kafkajs'
import { createDatabase, endPool, testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import { IDEMPOTENCY_MIGRATION_SQL } from '@lab/idempotency'
import { MESSAGING_MIGRATION_SQL, createKafka, type MessagingLogger } from '../src/index.js'

export { endPool }

/** Quiet by default; a failing test's interesting lines are warnings and errors. */
export const log: MessagingLogger = pino({ level: 'silent' })

export interface TestDb { db: TestDatabase, pool: pg.Pool, close: () => Promise<void> }

/** A fresh database with the messaging and idempotency tables, and a pool on it. */
export async function migratedDatabase (): Promise<TestDb> {
  const db = await createDatabase('messaging')
  const pool = new pg.Pool({ connectionString: db.url, max: 10 })
  await pool.query(MESSAGING_MIGRATION_SQL)
  await pool.query(IDEMPOTENCY_MIGRATION_SQL)
  return { db, pool, close: async () => { await endPool(pool); await db.drop() } }
}

export function testKafka (brokers: string[] = testInfra().kafkaBrokers, retry?: { retries: number }): Kafka {
  return createKafka({ clientId: uniqueName('messaging-test'), brokers, log, ...(retry === undefined ? {} : { retry }) })
}

export interface Received { topic: string, partition: number, message: KafkaMessage }

/** Read `topic` from the beginning with a throwaway group until `count` messages arrived. */
export async function collect (kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('collector') })
  const received: Received[] = []
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`only ${received.length}/${count} messages on ${topic}`)) }, timeoutMs)
      consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          received.push({ topic, partition, message })
          if (received.length >= count) { clearTimeout(timer); resolve() }
        }
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return received
}

export { eventually } from '@lab/testkit'
