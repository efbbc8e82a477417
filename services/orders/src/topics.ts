import { ORDERS_CANCELLED, ORDERS_CONFIRMED, ORDERS_PLACED, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED } from '@lab/contracts'
import type { OrdersConfig } from './config.js'

/**
 * The events orders publishes and consumes (@lab/contracts: `<domain>.<event>.v1`). The envelope's
 * `type` is always this canonical name; the topic carrying it may have a prefix (TOPIC_PREFIX).
 */
export const EVENT_TYPES = {
  placed: ORDERS_PLACED,
  confirmed: ORDERS_CONFIRMED,
  cancelled: ORDERS_CANCELLED,
  paymentSucceeded: PAYMENTS_SUCCEEDED,
  paymentFailed: PAYMENTS_FAILED
} as const

export type OrderTopics = { [K in keyof typeof EVENT_TYPES]: string }

/** Topic names with the configured prefix ('' in the lab; a random one per test file). */
export function orderTopics (config: Pick<OrdersConfig, 'TOPIC_PREFIX'>): OrderTopics {
  const prefixed = Object.entries(EVENT_TYPES).map(([event, type]) => [event, `${config.TOPIC_PREFIX}${type}`])
  return Object.fromEntries(prefixed) as OrderTopics
}
