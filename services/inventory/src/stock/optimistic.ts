import type pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Counter } from 'prom-client'
import { backoffDelayMs } from '@lab/platform'
import { readItem, type Item } from '../db/items.js'
import { RESERVATION_COLUMNS, type Reservation } from '../db/reservations.js'
import { hasSqlState, SQLSTATE } from '../db/sqlstate.js'
import type { ReserveOutcome, ReserveRequest, ReserveStock } from './strategy.js'

export interface OptimisticSettings {
  /** Tries of the conditional UPDATE per reservation, the first included. */
  maxAttempts: number
  backoffBaseMs: number
  backoffMaxMs: number
}

export interface OptimisticMetrics {
  /** optimistic_lock_conflicts_total{service}: UPDATEs that matched no row because the version moved. */
  conflicts: Counter<'service'>
  /** optimistic_lock_retries_total{service}: tries made again after a conflict. */
  retries: Counter<'service'>
}

const SERVICE = { service: 'inventory' }

/**
 * OPTIMISTIC LOCKING (the default). Read the row with its version, decide, then write only if nobody
 * wrote in between:
 *
 *   UPDATE items SET available = available - q, reserved = reserved + q, version = version + 1
 *   WHERE product_id = $1 AND version = $v AND available >= q
 *
 * One row updated: the stock was still as read; the reservation is inserted in the same statement.
 * No row: re-read to learn why. Too few units now → out of stock (final). Otherwise another buyer
 * won the race (version moved) → a conflict: back off (exponential, full jitter) and try again, at
 * most `maxAttempts` times in all, then answer 409 INVENTORY_CONFLICT and let the caller decide.
 *
 * Trade-offs: no lock is held while the buyer thinks (between read and write), so readers never wait
 * and a slow client cannot block others; the cost is wasted work under contention, since every
 * conflict is a read and a failed write done again, and under a flash sale most tries on the hot row
 * lose. Two details: the UPDATE still waits for a concurrent writer's row lock for the length of that
 * writer's transaction (then sees the new version and matches nothing), and `available >= q` in the
 * WHERE makes the write safe on its own, even if the version check were forgotten.
 * @see https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED
 * @see https://martinfowler.com/eaaCatalog/optimisticOfflineLock.html
 */
export function createOptimisticReserve (pool: pg.Pool, settings: OptimisticSettings, metrics: OptimisticMetrics): ReserveStock {
  return async function reserveStockOptimistically (request: ReserveRequest): Promise<ReserveOutcome> {
    const { productId, quantity } = request
    for (let attempt = 1; ; attempt++) {
      const item = await readItem(pool, productId)
      if (item === undefined) return { kind: 'unknown_product', attempts: attempt }
      if (item.available < quantity) return { kind: 'out_of_stock', attempts: attempt }

      const written = await writeIfUnchanged(pool, request, item)
      if (written !== 'stale') return { ...written, attempts: attempt }

      // No row matched: sold out meanwhile, or only a version conflict? Re-read to tell.
      const now = await readItem(pool, productId)
      if (now === undefined) return { kind: 'unknown_product', attempts: attempt }
      if (now.available < quantity) return { kind: 'out_of_stock', attempts: attempt }
      metrics.conflicts.inc(SERVICE)
      if (attempt >= settings.maxAttempts) return { kind: 'conflict', attempts: attempt }
      metrics.retries.inc(SERVICE)
      // No connection is held while waiting. Full jitter: the losers of one round do not collide again in step.
      await sleep(backoffDelayMs(attempt, { baseMs: settings.backoffBaseMs, maxMs: settings.backoffMaxMs, jitter: 'full' }))
    }
  }
}

type WriteResult = { kind: 'reserved', reservation: Reservation } | { kind: 'duplicate' } | 'stale'

/**
 * The conditional UPDATE and the reservation's INSERT in ONE statement: atomic on its own (a statement
 * is a transaction), one round trip, and the row lock is held only while it runs and commits, which
 * is also how long a competing buyer's UPDATE waits before it sees the new version. The INSERT selects
 * from the UPDATE's result, so no row updated means no reservation. A duplicate id fails the whole
 * statement (unique violation), taking the stock change back with it.
 */
async function writeIfUnchanged (pool: pg.Pool, request: ReserveRequest, item: Item): Promise<WriteResult> {
  try {
    const { rows } = await pool.query<Reservation>({
      name: 'inventory.reserve-optimistically',
      text: `WITH taken AS (
               UPDATE items SET available = available - $2, reserved = reserved + $2, version = version + 1, updated_at = now()
               WHERE product_id = $1 AND version = $3 AND available >= $2
               RETURNING product_id, price_cents
             )
             INSERT INTO reservations (id, product_id, quantity, status, unit_price_cents)
             SELECT $4::uuid, product_id, $2::int, 'reserved', price_cents FROM taken
             RETURNING ${RESERVATION_COLUMNS}`,
      values: [request.productId, request.quantity, item.version, request.reservationId]
    })
    return rows[0] === undefined ? 'stale' : { kind: 'reserved', reservation: rows[0] }
  } catch (err) {
    if (hasSqlState(err, SQLSTATE.uniqueViolation)) return { kind: 'duplicate' }
    throw err
  }
}
