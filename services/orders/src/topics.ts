import type { OrdersConfig } from './config.js'

/**
 * The events orders publishes and consumes (DESIGN.md §2: `<domain>.<event>.v1`). The envelope's
 * `type` is always this canonical name; the topic carrying it may have a prefix (TOPIC_PREFIX).
 */
export const EVENT_TYPES = {
  placed: 'orders.placed.v1',
  confirmed: 'orders.confirmed.v1',
  cancelled: 'orders.cancelled.v1',
  paymentSucceeded: 'payments.succeeded.v1',
  paymentFailed: 'payments.failed.v1'
} as const

export type OrderTopics = { [K in keyof typeof EVENT_TYPES]: string }

/** Dead letters of a topic, as the idempotent consumer names them. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq.v1`

/** Topic names with the configured prefix ('' in the lab; a random one per test file). */
export function orderTopics (config: Pick<OrdersConfig, 'TOPIC_PREFIX'>): OrderTopics {
  const prefixed = Object.entries(EVENT_TYPES).map(([event, type]) => [event, `${config.TOPIC_PREFIX}${type}`])
  return Object.fromEntries(prefixed) as OrderTopics
}

/** Every topic orders writes to or reads from, dead letters included: created up front at boot. */
export function allTopics (topics: OrderTopics): string[] {
  const consumed = [topics.paymentSucceeded, topics.paymentFailed]
  return [topics.placed, topics.confirmed, topics.cancelled, ...consumed, ...consumed.map(deadLetterTopic)]
}
