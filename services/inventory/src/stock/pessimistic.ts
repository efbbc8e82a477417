import type pg from 'pg'
import { withTransaction } from '@lab/platform'
import { insertReservation } from '../db/reservations.js'
import { ITEM_COLUMNS, type Item } from '../db/items.js'
import { hasSqlState, SQLSTATE } from '../db/sqlstate.js'
import type { ReserveOutcome, ReserveRequest, ReserveStock } from './strategy.js'

export interface PessimisticSettings {
  /** How long to wait for the row lock before giving up (409 INVENTORY_CONFLICT). */
  lockTimeoutMs: number
}

/**
 * PESSIMISTIC LOCKING: lock the row first, then read, check and write, then commit:
 *
 *   BEGIN; SELECT … FROM items WHERE product_id = $1 FOR UPDATE; check; UPDATE …; INSERT …; COMMIT
 *
 * Buyers of one product queue on its row lock, one at a time, so the read can never be stale: no
 * conflicts, no retries, no wasted work. The costs: each waiting buyer holds a pooled connection and a
 * Postgres backend while it waits, so a hot product can exhaust the pool and slow every other product
 * too; the lock is held for several round trips (the whole transaction), so throughput on one row is
 * bounded by 1 / (transaction time); and a client or network stall inside the transaction stalls the
 * queue. lock_timeout bounds the wait (then 409 INVENTORY_CONFLICT, like the optimistic give-up).
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS
 */
export function createPessimisticReserve (pool: pg.Pool, settings: PessimisticSettings): ReserveStock {
  return async function reserveStockPessimistically (request: ReserveRequest): Promise<ReserveOutcome> {
    const { productId, quantity } = request
    try {
      return await withTransaction(pool, async (client, rollbackInstead): Promise<ReserveOutcome> => {
        const { rows } = await client.query<Item>(`SELECT ${ITEM_COLUMNS} FROM items WHERE product_id = $1 FOR UPDATE`, [productId])
        const item = rows[0]
        if (item === undefined || item.available < quantity) {
          rollbackInstead()
          return { kind: item === undefined ? 'unknown_product' : 'out_of_stock', attempts: 1 }
        }
        await client.query(`
          UPDATE items SET available = available - $2, reserved = reserved + $2, version = version + 1, updated_at = now()
          WHERE product_id = $1`, [productId, quantity])
        const reservation = await insertReservation(client, { id: request.reservationId, productId, quantity, unitPriceCents: item.priceCents })
        if (reservation === undefined) {
          rollbackInstead()
          return { kind: 'duplicate', attempts: 1 }
        }
        return { kind: 'reserved', reservation, attempts: 1 }
      }, { lockTimeoutMs: settings.lockTimeoutMs })
    } catch (err) {
      if (hasSqlState(err, SQLSTATE.lockNotAvailable)) return { kind: 'conflict', attempts: 1 }
      throw err
    }
  }
}
