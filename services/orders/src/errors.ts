import createError from '@fastify/error'
import { declareError, retryAfter } from '@lab/platform'

/**
 * Every error orders answers on purpose, with the ORDERS_ prefix. The platform's error handler turns
 * them into `{ statusCode, code, error, message, requestId }`; the 5xx ones below are safe to show,
 * declared `expose` with their Retry-After. Errors below 500 are remembered with the Idempotency-Key
 * and replayed to a retry with the same key; 5xx ones are not. The Idempotency-Key errors
 * (IDEMPOTENCY_KEY_MISSING 400, IDEMPOTENCY_KEY_REUSED 422, IDEMPOTENCY_REQUEST_IN_PROGRESS 409) come
 * from @lab/idempotency, shared with payments.
 */
export const OrderNotFoundError = createError<[string]>('ORDERS_NOT_FOUND', 'order %s not found', 404)
export const UnknownProductError = createError<[number]>('ORDERS_UNKNOWN_PRODUCT', 'product %s does not exist', 422)
export const OutOfStockError = createError<[number, number]>('ORDERS_OUT_OF_STOCK', 'product %s has fewer than %s units available', 409)
/** 503, not 409: transient, so the Idempotency-Key is released and a retry with it runs again. */
export const StockContendedError = declareError<[productId: number]>('ORDERS_STOCK_CONTENDED', 'too many concurrent buyers for product %s; retry shortly', 503, { expose: true, retryAfterSeconds: 1 })
/** Inventory timed out, refused the connection or answered 5xx (inventory-client.ts). */
export const InventoryUnavailableError = declareError<[reason: string, options?: { cause: unknown }]>('ORDERS_INVENTORY_UNAVAILABLE', 'inventory is unavailable (%s); retry later', 503, { expose: true })
/** The breaker to inventory is open: Retry-After is its reset timeout, after which a call gets through. */
export class InventoryBreakerOpenError extends InventoryUnavailableError {
  constructor (retryAfterSeconds: number) {
    super('circuit breaker open')
    this.headers = retryAfter(retryAfterSeconds)
  }
}
/**
 * The order id is derived from the Idempotency-Key. An earlier attempt with this key left an order or a
 * reservation behind that this request cannot take over (the key's record expired and the key was reused,
 * or the earlier attempt was rolled back and its stock released): the client must use a new key.
 */
export const KeyAlreadyUsedError = createError<[string]>('ORDERS_KEY_ALREADY_USED', 'this Idempotency-Key was used by an earlier attempt (order %s) that cannot be resumed; retry with a new key', 422)
