import type pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import { readItem } from '../db/items.js'
import { RESERVATION_COLUMNS, type Reservation } from '../db/reservations.js'
import { hasSqlState, SQLSTATE } from '../db/sqlstate.js'
import type { ReserveOutcome, ReserveRequest, ReserveStock } from './strategy.js'

export interface NaiveSettings {
  /** A pause between the read and the write (NAIVE_WRITE_DELAY_MS), standing for any work in between. */
  writeDelayMs: number
}

/**
 * NAIVE READ-MODIFY-WRITE: kept to show what goes wrong, never the default. Read the row, check and
 * compute in JavaScript, write the computed numbers back:
 *
 *   UPDATE items SET available = <read - q>, reserved = <read + q> WHERE product_id = $1
 *
 * Two buyers who read the same row both see the last units, both pass the check, both write "one
 * fewer": the second write silently overwrites the first (a lost update), and both get a reservation.
 * The row itself stays plausible (available + reserved still adds up, nothing goes negative, so no
 * CHECK constraint fires), but more units are promised in `reservations` than exist: oversell. The
 * inventory_oversold_units gauge (oversell.ts) sees it; the tests and the bench assert it.
 *
 * The race needs no pause, just the window between two round trips; NAIVE_WRITE_DELAY_MS (default
 * 5 ms) widens it so it shows reliably on a quiet 2-core machine, as real work between the read and
 * the write would. Fixes: optimistic.ts (write only if unchanged) or pessimistic.ts (lock, then read).
 * @see https://www.postgresql.org/docs/current/transaction-iso.html (the lost update under READ COMMITTED)
 */
export function createNaiveReserve (pool: pg.Pool, settings: NaiveSettings): ReserveStock {
  return async function reserveStockNaively (request: ReserveRequest): Promise<ReserveOutcome> {
    const { productId, quantity } = request
    const item = await readItem(pool, productId)
    if (item === undefined) return { kind: 'unknown_product', attempts: 1 }
    if (item.available < quantity) return { kind: 'out_of_stock', attempts: 1 }
    const available = item.available - quantity
    const reserved = item.reserved + quantity
    if (settings.writeDelayMs > 0) await sleep(settings.writeDelayMs)

    try {
      // Deliberately unconditional: whatever happened since the read is overwritten. The reservation
      // goes in with the stock change, in one statement (as in optimistic.ts: only the WHERE differs).
      const { rows } = await pool.query<Reservation>(`
        WITH written AS (
          UPDATE items SET available = $2, reserved = $3, version = $4, updated_at = now()
          WHERE product_id = $1
          RETURNING product_id
        )
        INSERT INTO reservations (id, product_id, quantity, status, unit_price_cents)
        SELECT $5::uuid, product_id, $6::int, 'reserved', $7::int FROM written
        RETURNING ${RESERVATION_COLUMNS}`,
      [productId, available, reserved, item.version + 1, request.reservationId, quantity, item.priceCents])
      if (rows[0] === undefined) return { kind: 'unknown_product', attempts: 1 }
      return { kind: 'reserved', reservation: rows[0], attempts: 1 }
    } catch (err) {
      if (hasSqlState(err, SQLSTATE.uniqueViolation)) return { kind: 'duplicate', attempts: 1 }
      throw err
    }
  }
}
