import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, inventoryEnv, sql } from '../build.js'

let db: TestDatabase

beforeAll(async () => { db = await createDatabase('inventory_seed') })
afterAll(async () => { await db?.drop() })

describe('seed at boot', () => {
  it('stocks every catalog product once, even when two instances boot together', async () => {
    const env = inventoryEnv(db, { SEED_ITEMS: '30', SEED_STOCK: '100' })
    const instances = await Promise.all([buildInventory(env), buildInventory(env)])
    try {
      const rows = await sql<{ n: number, min: number, max: number, stock: number }>(db,
        'SELECT count(*)::int AS n, min(product_id) AS min, max(product_id) AS max, sum(available)::int AS stock FROM items')
      expect(rows[0]).toEqual({ n: 30, min: 1, max: 30, stock: 3000 })
      // The catalog's seeded price for the same id (services/catalog/src/db/seed.ts).
      const prices = await sql<{ same: boolean }>(db, 'SELECT bool_and(price_cents = 99 + abs(hashint8extended(product_id, 5)) % 50000) AS same FROM items')
      expect(prices[0]?.same).toBe(true)
    } finally {
      await Promise.all(instances.map(async (i) => { await i.app.close() }))
    }
  })

  it('leaves a stocked inventory alone at the next boot', async () => {
    await sql(db, 'UPDATE items SET available = 7 WHERE product_id = 1')
    const again = await buildInventory(inventoryEnv(db, { SEED_ITEMS: '50' }))
    try {
      const res = await again.app.inject({ method: 'GET', url: '/stock/1' })
      expect(res.json()).toMatchObject({ productId: 1, available: 7 })
      expect((await sql<{ n: number }>(db, 'SELECT count(*)::int AS n FROM items'))[0]?.n).toBe(30)
    } finally {
      await again.app.close()
    }
  })
})
