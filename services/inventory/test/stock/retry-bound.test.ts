import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, httpClient, inventoryEnv, metricValue, purchase, sql, type InventoryUnderTest } from '../build.js'

const BUYERS = 200
const MAX_ATTEMPTS = 2

let db: TestDatabase
let inventory: InventoryUnderTest
let client: ReturnType<typeof httpClient>

beforeAll(async () => {
  db = await createDatabase('inventory_retry')
  // Two tries and almost no backoff: under 200 buyers of one row most must give up, on purpose.
  inventory = await buildInventory(inventoryEnv(db, { OPTIMISTIC_MAX_ATTEMPTS: String(MAX_ATTEMPTS), OPTIMISTIC_BACKOFF_BASE_MS: '1', OPTIMISTIC_BACKOFF_MAX_MS: '1', PG_POOL_MAX: '20' }))
  client = httpClient(await inventory.app.listen({ host: '127.0.0.1', port: 0 }), 32)
})

afterAll(async () => {
  client?.close()
  await inventory?.app.close()
  await db?.drop()
})

describe('optimistic retries are bounded', () => {
  it('answers 409 INVENTORY_CONFLICT only after the last allowed attempt, and counts every conflict and retry', async () => {
    // Plenty of stock: no buyer can stop early on out-of-stock, so contention alone decides.
    await inventory.app.inject({ method: 'PUT', url: '/stock/7', payload: { available: 10_000, priceCents: 500 } })
    const answers = await Promise.all(Array.from({ length: BUYERS }, async () => await client.post('/reservations', purchase(7), { 'x-inventory-strategy': 'optimistic' })))

    const reserved = answers.filter((a) => a.status === 201)
    const gaveUp = answers.filter((a) => a.status === 409)
    expect(reserved.length + gaveUp.length).toBe(BUYERS)
    expect(gaveUp.length, 'the contention this test needs did not happen').toBeGreaterThan(0)
    for (const a of gaveUp) {
      expect(a.body.code).toBe('INVENTORY_CONFLICT')
      expect(a.headers['x-inventory-attempts']).toBe(String(MAX_ATTEMPTS))
    }
    for (const a of reserved) expect(Number(a.headers['x-inventory-attempts'])).toBeLessThanOrEqual(MAX_ATTEMPTS)

    // Each request retried at most MAX_ATTEMPTS - 1 times; a conflict is either retried or given up.
    const retries = await metricValue(inventory.registry, 'optimistic_lock_retries_total', { service: 'inventory' })
    const conflicts = await metricValue(inventory.registry, 'optimistic_lock_conflicts_total', { service: 'inventory' })
    expect(retries).toBe(answers.reduce((sum, a) => sum + Number(a.headers['x-inventory-attempts']) - 1, 0))
    expect(retries).toBeLessThanOrEqual((MAX_ATTEMPTS - 1) * BUYERS)
    expect(conflicts).toBe(retries + gaveUp.length)
    expect(await metricValue(inventory.registry, 'inventory_reservations_total', { strategy: 'optimistic', outcome: 'conflict' })).toBe(gaveUp.length)

    // Giving up changed nothing: the stock moved by exactly the reservations made.
    const [row] = await sql<{ available: number, reserved: number }>(db, 'SELECT available, reserved FROM items WHERE product_id = 7')
    expect(row).toEqual({ available: 10_000 - reserved.length, reserved: reserved.length })
    const [count] = await sql<{ n: number }>(db, 'SELECT count(*)::int AS n FROM reservations WHERE product_id = 7')
    expect(count?.n).toBe(reserved.length)
  })
})

describe('pessimistic lock waits are bounded', () => {
  it('answers 409 INVENTORY_CONFLICT when the row stays locked past the lock timeout, changing nothing', async () => {
    const impatient = await buildInventory(inventoryEnv(db, { PESSIMISTIC_LOCK_TIMEOUT_MS: '200', SEED_ITEMS: '0' }))
    const holder = new pg.Client({ connectionString: db.url })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT * FROM items WHERE product_id = 8 FOR UPDATE')
      const started = performance.now()
      const res = await impatient.app.inject({ method: 'POST', url: '/reservations', payload: purchase(8), headers: { 'x-inventory-strategy': 'pessimistic' } })
      const waited = performance.now() - started
      expect(res.statusCode).toBe(409)
      expect(res.json()).toMatchObject({ code: 'INVENTORY_CONFLICT' })
      expect(waited).toBeGreaterThanOrEqual(190)
      expect(waited).toBeLessThan(2000)
      await holder.query('ROLLBACK')
      expect(await sql(db, 'SELECT available, reserved FROM items WHERE product_id = 8')).toEqual([{ available: 100, reserved: 0 }])
      expect(await metricValue(impatient.registry, 'inventory_reservations_total', { strategy: 'pessimistic', outcome: 'conflict' })).toBe(1)
    } finally {
      await holder.end()
      await impatient.app.close()
    }
  })
})
