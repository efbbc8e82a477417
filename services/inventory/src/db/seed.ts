import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

export interface SeedSizes {
  /** Items 1..items, the catalog's product ids. */
  items: number
  /** Units of each. */
  stock: number
}

export interface SeedResult { seeded: boolean, items: number }

/**
 * Stocks an empty inventory: every product of the catalog (ids 1..N) with the same number of units, at
 * the catalog's own seeded price (same deterministic formula, `hashint8extended(n, 5)` in
 * services/catalog/src/db/seed.ts), so a product costs the same on its page and at checkout until an
 * experiment changes it (PUT /stock/:productId). Deterministic, so runs are comparable.
 */
export async function seedItemsIfEmpty (client: pg.ClientBase, sizes: SeedSizes, log: FastifyBaseLogger): Promise<SeedResult> {
  if (sizes.items === 0) return { seeded: false, items: 0 }
  const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM items) AS empty')
  if (rows[0]?.empty !== true) {
    log.info('inventory already stocked; skipping the seed')
    return { seeded: false, items: 0 }
  }
  const started = performance.now()
  await client.query(`
    INSERT INTO items (product_id, price_cents, available, reserved, version)
    SELECT n, 99 + abs(hashint8extended(n, 5)) % 50000, $2::int, 0, 1
    FROM generate_series(1, $1::int) AS n`, [sizes.items, sizes.stock])
  log.info({ ...sizes, ms: Math.round(performance.now() - started) }, 'inventory seeded')
  return { seeded: true, items: sizes.items }
}
