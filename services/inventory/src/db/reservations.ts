import type pg from 'pg'
import type { Reservation } from '@lab/contracts'
import type { Queryable } from './items.js'

/** A reservation as the API answers it: the contract orders' inventory client checks (@lab/contracts). */
export type { Reservation }

/** The columns of a reservation as the API names them, for SELECT and RETURNING. */
export const RESERVATION_COLUMNS = `id::text AS "reservationId", product_id AS "productId", quantity,
  unit_price_cents AS "unitPriceCents", (unit_price_cents::bigint * quantity)::float8 AS "amountCents", status`

export async function findReservation (db: Queryable, id: string): Promise<Reservation | undefined> {
  // Named: prepared once per connection (every reservation asks it first).
  const { rows } = await db.query<Reservation>({ name: 'inventory.find-reservation', text: `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE id = $1`, values: [id] })
  return rows[0]
}

/**
 * Inserts the reservation inside the caller's transaction, after its stock change. `undefined` when
 * the id exists already: a twin request with the same id got there first, and the caller rolls back
 * its stock change. ON CONFLICT DO NOTHING keeps the transaction usable (a unique violation would
 * abort it); if the twin has not committed yet, this waits for it.
 * @see https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT
 */
export async function insertReservation (client: pg.PoolClient, r: { id: string, productId: number, quantity: number, unitPriceCents: number }): Promise<Reservation | undefined> {
  const { rows } = await client.query<Reservation>(`
    INSERT INTO reservations (id, product_id, quantity, status, unit_price_cents)
    VALUES ($1, $2, $3, 'reserved', $4)
    ON CONFLICT (id) DO NOTHING
    RETURNING ${RESERVATION_COLUMNS}`, [r.id, r.productId, r.quantity, r.unitPriceCents])
  return rows[0]
}

/** Flips reserved → released; `undefined` when it was not 'reserved' any more (released meanwhile). */
export async function markReleased (client: pg.PoolClient, id: string): Promise<Reservation | undefined> {
  const { rows } = await client.query<Reservation>(`
    UPDATE reservations SET status = 'released', updated_at = now()
    WHERE id = $1 AND status = 'reserved'
    RETURNING ${RESERVATION_COLUMNS}`, [id])
  return rows[0]
}
