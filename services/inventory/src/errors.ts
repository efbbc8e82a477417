import createError from '@fastify/error'

/**
 * Every error inventory answers on purpose, with the INVENTORY_ prefix. The platform's error handler
 * turns them into `{ statusCode, code, error, message, requestId }`.
 */
export const UnknownProductError = createError<[number]>('INVENTORY_UNKNOWN_PRODUCT', 'product %s is not stocked here', 404)
export const UnknownReservationError = createError<[string]>('INVENTORY_UNKNOWN_RESERVATION', 'reservation %s not found', 404)
export const OutOfStockError = createError<[number, number]>('INVENTORY_OUT_OF_STOCK', 'product %s has fewer than %s units available', 409)
export const ConflictError = createError<[number, number]>('INVENTORY_CONFLICT', 'product %s is contended: gave up after %s attempts; retry later', 409)
export const ReservationIdReusedError = createError<[string]>('INVENTORY_RESERVATION_ID_REUSED', 'reservation %s exists for another product or quantity', 422)
/**
 * Releasing would push a counter below zero: the row no longer matches its reservations, which only
 * the naive strategy's lost updates cause. The CHECK constraints refuse to compound the damage.
 */
export const StockInconsistentError = createError<[number]>('INVENTORY_STOCK_INCONSISTENT', 'the stock counters of product %s do not match its reservations (lost updates?)', 409)
