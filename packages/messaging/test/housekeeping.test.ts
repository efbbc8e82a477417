import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import { metricValue } from '@lab/testkit'
import { HousekeepingSweeper } from '../src/index.js'
import { eventually, log, migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb

beforeAll(async () => { t = await migratedDatabase() })
afterAll(async () => { await t.close() })

const HOUR_MS = 3600_000

/** Rows of each table, some past their retention and some not, aged by rewriting their timestamps. */
async function seed (): Promise<void> {
  const q = async (text: string, values: unknown[] = []) => await t.pool.query(text, values)
  for (const [key, expires] of [['expired-1', '-1 hour'], ['expired-2', '-1 second'], ['live', '+1 hour']]) {
    await q(`INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at)
             VALUES ('test', $1, 'h', 'completed', $2, now() + $3::interval)`, [key, randomUUID(), expires])
  }
  for (const [topic, sentAt] of [['old-sent', "now() - interval '3 hours'"], ['new-sent', "now() - interval '1 minute'"], ['old-unsent', 'NULL']]) {
    await q(`INSERT INTO outbox (topic, key, envelope, created_at, sent_at) VALUES ($1, 'k', '{}', now() - interval '3 hours', ${sentAt})`, [topic])
  }
  for (const [id, age] of [['old', '3 hours'], ['new', '1 minute']]) {
    await q("INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('test', $1, now() - $2::interval)", [id, age])
  }
}

async function remaining (): Promise<{ keys: string[], outbox: string[], inbox: string[] }> {
  const keys = await t.pool.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')
  const outbox = await t.pool.query<{ topic: string }>('SELECT topic FROM outbox ORDER BY topic')
  const inbox = await t.pool.query<{ message_id: string }>('SELECT message_id FROM processed_messages ORDER BY message_id')
  return { keys: keys.rows.map((r) => r.key), outbox: outbox.rows.map((r) => r.topic), inbox: inbox.rows.map((r) => r.message_id) }
}

describe('HousekeepingSweeper', () => {
  it('deletes exactly what is past its retention (expired keys, sent outbox rows, old inbox rows), in batches, and counts it by table', async () => {
    await seed()
    const registry = new Registry()
    const retentions = { idempotencyKeys: true, outboxSentRetentionMs: 2 * HOUR_MS, inboxRetentionMs: 2 * HOUR_MS }
    // batchSize 1: one row per DELETE, the loop has to go round to finish.
    const sweeper = new HousekeepingSweeper({ pool: t.pool, log, registry, service: 'test', intervalMs: 60_000, batchSize: 1, ...retentions })
    expect(await sweeper.sweepOnce()).toEqual({ idempotency_keys: 2, outbox: 1, processed_messages: 1 })
    // Unsent rows stay however old: the relay still owes them to Kafka.
    expect(await remaining()).toEqual({ keys: ['live'], outbox: ['new-sent', 'old-unsent'], inbox: ['new'] })
    expect(await metricValue(registry, 'housekeeping_rows_purged_total', { service: 'test', table: 'idempotency_keys' })).toBe(2)
    expect(await metricValue(registry, 'housekeeping_rows_purged_total', { service: 'test', table: 'outbox' })).toBe(1)
    expect(await metricValue(registry, 'housekeeping_rows_purged_total', { service: 'test', table: 'processed_messages' })).toBe(1)
    expect(await sweeper.sweepOnce()).toEqual({ idempotency_keys: 0, outbox: 0, processed_messages: 0 })
  })

  it('sweeps on its own every interval once started, only the tables it was given', async () => {
    await t.pool.query('DELETE FROM idempotency_keys; DELETE FROM outbox; DELETE FROM processed_messages')
    await seed()
    const registry = new Registry()
    const sweeper = new HousekeepingSweeper({ pool: t.pool, log, registry, service: 'inbox-only', intervalMs: 50, inboxRetentionMs: 2 * HOUR_MS })
    sweeper.start()
    try {
      await eventually(async () => (await remaining()).inbox.length === 1, 5000, 'old inbox row purged')
      await t.pool.query("INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('test', 'later', now() - interval '5 hours')")
      await eventually(async () => !(await remaining()).inbox.includes('later'), 5000, 'a row aged later purged at a later sweep')
    } finally {
      await sweeper.stop()
    }
    const left = await remaining()
    expect(left.keys).toHaveLength(3)
    expect(left.outbox).toHaveLength(3)
    expect(await metricValue(registry, 'housekeeping_rows_purged_total', { table: 'processed_messages' })).toBe(2)
    expect(await metricValue(registry, 'housekeeping_errors_total')).toBe(0)
  })
})
