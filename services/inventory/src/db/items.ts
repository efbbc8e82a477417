import type pg from 'pg'

/** One item's stock as stored: the row every strategy reads. */
export interface Item {
  productId: number
  available: number
  reserved: number
  priceCents: number
  version: number
}

export type Queryable = pg.Pool | pg.PoolClient

export const ITEM_COLUMNS = 'product_id AS "productId", available, reserved, price_cents AS "priceCents", version'

/** A plain read: no lock, the latest committed row (READ COMMITTED). */
export async function readItem (db: Queryable, productId: number): Promise<Item | undefined> {
  // Named: prepared once per connection, not parsed and planned for every reservation.
  const { rows } = await db.query<Item>({ name: 'inventory.read-item', text: `SELECT ${ITEM_COLUMNS} FROM items WHERE product_id = $1`, values: [productId] })
  return rows[0]
}

/**
 * Sets the sellable units and the price (PUT /stock/:productId, for experiments). `reserved` belongs to
 * the reservations and is left alone; the version moves, so an optimistic buyer who read before retries.
 */
export async function setStock (db: Queryable, productId: number, stock: { available: number, priceCents: number }): Promise<Item | undefined> {
  const { rows } = await db.query<Item>(`
    UPDATE items SET available = $2, price_cents = $3, version = version + 1, updated_at = now()
    WHERE product_id = $1
    RETURNING ${ITEM_COLUMNS}`, [productId, stock.available, stock.priceCents])
  return rows[0]
}
