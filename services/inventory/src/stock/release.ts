import type pg from 'pg'
import { withTransaction } from '@lab/platform'
import { findReservation, markReleased, type Reservation } from '../db/reservations.js'
import { hasSqlState, SQLSTATE } from '../db/sqlstate.js'

export type ReleaseOutcome =
  | { kind: 'released', reservation: Reservation }
  | { kind: 'already_released', reservation: Reservation }
  | { kind: 'unknown_reservation' }
  | { kind: 'inconsistent', productId: number }

/**
 * Gives a reservation's units back (the saga's compensation when a payment fails). The same for every
 * strategy, and safe under concurrency without a version check:
 * - the status flip `WHERE status = 'reserved'` lets exactly one of concurrent releases through; the
 *   others find it released and answer it as it is (idempotent), before touching the stock;
 * - the stock change is relative (`available = available + q`), computed by Postgres on the latest
 *   row under its row lock, so it cannot lose a concurrent update; the version still moves, so an
 *   optimistic buyer who read before retries.
 * The item row is locked first (FOR UPDATE), then the reservation: the order a reservation takes them
 * in too (stock UPDATE, then INSERT), so a release and a reserve never wait for each other in a cycle.
 */
export async function releaseReservation (pool: pg.Pool, id: string): Promise<ReleaseOutcome> {
  const found = await findReservation(pool, id)
  if (found === undefined) return { kind: 'unknown_reservation' }
  if (found.status === 'released') return { kind: 'already_released', reservation: found }
  try {
    return await withTransaction(pool, async (client, rollbackInstead): Promise<ReleaseOutcome> => {
      await client.query('SELECT 1 FROM items WHERE product_id = $1 FOR UPDATE', [found.productId])
      const released = await markReleased(client, id)
      if (released === undefined) {
        rollbackInstead()
        return { kind: 'already_released', reservation: { ...found, status: 'released' } }
      }
      await client.query(`
        UPDATE items SET available = available + $2, reserved = reserved - $2, version = version + 1, updated_at = now()
        WHERE product_id = $1`, [found.productId, found.quantity])
      return { kind: 'released', reservation: released }
    })
  } catch (err) {
    // Only reachable after the naive strategy lost updates: `reserved` is smaller than its reservations.
    if (hasSqlState(err, SQLSTATE.checkViolation)) return { kind: 'inconsistent', productId: found.productId }
    throw err
  }
}
