import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, eventually, tempDatabase, type TestDatabase } from '@lab/testkit'
import { loadOrdersConfig } from '../src/config.js'
import { buildOrders, metricValue, ordersEnv, sql, type OrdersUnderTest } from './build.js'

let db: TestDatabase
let orders: OrdersUnderTest

beforeAllWithTeardown(async () => {
  db = await tempDatabase('orders_housekeeping')
  // No inventory needed: nothing here places an order.
  orders = await buildOrders(ordersEnv(db, 'http://127.0.0.1:9', { HOUSEKEEPING_INTERVAL_MS: '1000', OUTBOX_SENT_RETENTION_MS: '60000', INBOX_RETENTION_MS: '60000' }))
})

describe('housekeeping in orders', () => {
  it('purges expired idempotency keys, sent outbox rows and inbox rows past their retention, and counts them', async () => {
    await sql(db, `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at) VALUES
      ('orders', 'expired', 'h', 'completed', gen_random_uuid(), now() - interval '1 second'),
      ('orders', 'live', 'h', 'completed', gen_random_uuid(), now() + interval '1 day')`)
    await sql(db, `INSERT INTO outbox (topic, key, envelope, sent_at) VALUES
      ('old-sent', 'k', '{}', now() - interval '2 minutes'), ('new-sent', 'k', '{}', now()), ('unsent', 'k', '{}', NULL)`)
    await sql(db, `INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES
      ('orders', 'old', now() - interval '2 minutes'), ('orders', 'new', now())`)
    await eventually(async () => await metricValue(orders.registry, 'housekeeping_rows_purged_total', { service: 'orders', table: 'processed_messages' }) >= 1, 10_000, 'a sweep')
    expect((await sql<{ key: string }>(db, 'SELECT key FROM idempotency_keys')).map((r) => r.key)).toEqual(['live'])
    expect((await sql<{ topic: string }>(db, 'SELECT topic FROM outbox ORDER BY topic')).map((r) => r.topic)).toEqual(['new-sent', 'unsent'])
    expect((await sql<{ message_id: string }>(db, 'SELECT message_id FROM processed_messages')).map((r) => r.message_id)).toEqual(['new'])
    expect(await metricValue(orders.registry, 'housekeeping_rows_purged_total', { service: 'orders', table: 'idempotency_keys' })).toBe(1)
    expect(await metricValue(orders.registry, 'housekeeping_rows_purged_total', { service: 'orders', table: 'outbox' })).toBe(1)
  })

  it('refuses to boot with an interval or a retention out of range, naming the variable', () => {
    const env = ordersEnv(db, 'http://127.0.0.1:9')
    expect(() => loadOrdersConfig({ ...env, HOUSEKEEPING_INTERVAL_MS: '0' })).toThrow(/HOUSEKEEPING_INTERVAL_MS/)
    expect(() => loadOrdersConfig({ ...env, INBOX_RETENTION_MS: '-5' })).toThrow(/INBOX_RETENTION_MS/)
    expect(() => loadOrdersConfig({ ...env, OUTBOX_SENT_RETENTION_MS: 'a week' })).toThrow(/OUTBOX_SENT_RETENTION_MS/)
  })
})
