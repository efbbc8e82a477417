import type { Reservation } from '../db/reservations.js'

/** One purchase: `quantity` units of `productId`, under the caller's id (the idempotency key). */
export interface ReserveRequest {
  reservationId: string
  productId: number
  quantity: number
}

/**
 * What a strategy did. `attempts` counts tries of the write (only the optimistic strategy retries);
 * `duplicate` means a twin request with the same reservation id committed first, and this one rolled
 * its stock change back: the caller answers with the twin's reservation.
 */
export type ReserveOutcome =
  | { kind: 'reserved', reservation: Reservation, attempts: number }
  | { kind: 'duplicate', attempts: number }
  | { kind: 'out_of_stock', attempts: number }
  | { kind: 'conflict', attempts: number }
  | { kind: 'unknown_product', attempts: number }

/**
 * Takes stock and records the reservation in one transaction. Three implementations, one file each:
 * optimistic.ts (the default), naive.ts (the lost update, for teaching), pessimistic.ts (row lock).
 */
export type ReserveStock = (request: ReserveRequest) => Promise<ReserveOutcome>
