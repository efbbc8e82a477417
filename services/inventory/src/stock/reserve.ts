import type { InventoryMetrics } from '../metrics.js'
import type { StrategyName } from '../config.js'
import { findReservation, type Reservation } from '../db/reservations.js'
import type { Queryable } from '../db/items.js'
import type { ReserveRequest, ReserveStock } from './strategy.js'
import { ConflictError, OutOfStockError, ReservationIdReusedError, UnknownProductError } from '../errors.js'

/** How many tries of the stock write a reservation took (1 unless optimistic retries happened). */
export const ATTEMPTS_HEADER = 'x-inventory-attempts'

export interface ReserveResult {
  /** 201 for a new reservation, 200 for the same reservation answered again. */
  statusCode: 201 | 200
  reservation: Reservation
  attempts: number
}

/**
 * POST /reservations, idempotent on the caller's reservation id: an id seen before is answered with
 * the stored reservation (whatever its status now) and touches no stock; the same id for another
 * product or quantity is a client bug (422). A twin request racing this one is settled by the
 * reservations' primary key inside the strategy's transaction (the loser rolls back its stock change).
 */
export async function reserve (deps: { pool: Queryable, metrics: InventoryMetrics }, strategyName: StrategyName, strategy: ReserveStock, request: ReserveRequest): Promise<ReserveResult> {
  const count = (outcome: 'reserved' | 'out_of_stock' | 'conflict' | 'replayed') => { deps.metrics.reservations.inc({ strategy: strategyName, outcome }) }
  const replay = async (attempts: number): Promise<ReserveResult | undefined> => {
    const existing = await findReservation(deps.pool, request.reservationId)
    if (existing === undefined) return undefined
    if (existing.productId !== request.productId || existing.quantity !== request.quantity) throw new ReservationIdReusedError(request.reservationId)
    count('replayed')
    return { statusCode: 200, reservation: existing, attempts }
  }

  const seen = await replay(0)
  if (seen !== undefined) return seen

  const outcome = await strategy(request)
  switch (outcome.kind) {
    case 'reserved':
      count('reserved')
      return { statusCode: 201, reservation: outcome.reservation, attempts: outcome.attempts }
    case 'duplicate': {
      const twin = await replay(outcome.attempts)
      if (twin === undefined) throw new Error(`reservation ${request.reservationId} collided but cannot be read back`)
      return twin
    }
    case 'out_of_stock':
      count('out_of_stock')
      throw withAttempts(new OutOfStockError(request.productId, request.quantity), outcome.attempts)
    case 'conflict':
      count('conflict')
      throw withAttempts(new ConflictError(request.productId, outcome.attempts), outcome.attempts)
    case 'unknown_product':
      throw new UnknownProductError(request.productId)
  }
}

/** The error handler copies `headers` onto the response: the attempts show on 409s too. */
function withAttempts<E extends Error & { headers?: Record<string, string> }> (err: E, attempts: number): E {
  err.headers = { [ATTEMPTS_HEADER]: String(attempts) }
  return err
}
