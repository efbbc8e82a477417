import { checkEventData, ORDERS_CANCELLED, ORDERS_PLACED, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED, type CheckoutEventData, type CheckoutTopic } from '@lab/contracts'
import { InvalidEventError } from './payments/invalid-event.js'

/** The event types payments reads and writes (@lab/contracts; the saga: docs/patterns/saga.md). */
export const TOPICS = {
  ordersPlaced: ORDERS_PLACED,
  ordersCancelled: ORDERS_CANCELLED,
  paymentsSucceeded: PAYMENTS_SUCCEEDED,
  paymentsFailed: PAYMENTS_FAILED
} as const

/** Topic names as this instance uses them: TOPIC_PREFIX in front (tests), the event type otherwise. */
export interface TopicNames {
  ordersPlaced: string
  ordersCancelled: string
  paymentsSucceeded: string
  paymentsFailed: string
}

export function topicNames (prefix: string): TopicNames {
  return {
    ordersPlaced: prefix + TOPICS.ordersPlaced,
    ordersCancelled: prefix + TOPICS.ordersCancelled,
    paymentsSucceeded: prefix + TOPICS.paymentsSucceeded,
    paymentsFailed: prefix + TOPICS.paymentsFailed
  }
}

/**
 * An event's data as its topic's contract types it (@lab/contracts: one schema per topic, shared with
 * every other reader and checked against the producers); InvalidEventError otherwise, which no retry
 * fixes: the message ends in its dead-letter topic with this reason.
 */
export function readEventData<K extends CheckoutTopic> (type: K, data: unknown): CheckoutEventData[K] {
  const checked = checkEventData(type, data)
  if (checked.ok) return checked.data
  throw new InvalidEventError(`invalid event data: ${checked.path || '/'} ${checked.message}`)
}
