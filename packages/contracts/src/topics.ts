/**
 * The checkout's topics (`<domain>.<event>.v1`), one constant each. An envelope's `type` is always this
 * canonical name; the topic carrying it may have a prefix (TOPIC_PREFIX: tests, parallel labs).
 * Who writes and who reads each: docs/patterns/saga.md.
 */
export const ORDERS_PLACED = 'orders.placed.v1'
export const ORDERS_CONFIRMED = 'orders.confirmed.v1'
export const ORDERS_CANCELLED = 'orders.cancelled.v1'
export const PAYMENTS_SUCCEEDED = 'payments.succeeded.v1'
export const PAYMENTS_FAILED = 'payments.failed.v1'

/** Every checkout topic, in the saga's order. */
export const CHECKOUT_TOPICS = [ORDERS_PLACED, ORDERS_CONFIRMED, ORDERS_CANCELLED, PAYMENTS_SUCCEEDED, PAYMENTS_FAILED] as const
export type CheckoutTopic = typeof CHECKOUT_TOPICS[number]
