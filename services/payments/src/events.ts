import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

/** The event types payments reads and writes (docs: /work/notes/checkout.md, "Kafka"). */
export const TOPICS = {
  ordersPlaced: 'orders.placed.v1',
  ordersCancelled: 'orders.cancelled.v1',
  paymentsSucceeded: 'payments.succeeded.v1',
  paymentsFailed: 'payments.failed.v1'
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

/** Dead letters of a consumed topic, as @lab/messaging names them. */
export const dlqTopic = (topic: string): string => `${topic}.dlq.v1`

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })

export const OrderPlacedSchema = Type.Object({
  orderId: Uuid,
  customerId: Type.String({ minLength: 1, maxLength: 64 }),
  productId: Type.Integer(),
  quantity: Type.Integer({ minimum: 1 }),
  amountCents: Type.Integer({ minimum: 1 }),
  paymentMethod: Type.Union([Type.Literal('wallet'), Type.Literal('card')])
})
export type OrderPlaced = Static<typeof OrderPlacedSchema>

export const OrderCancelledSchema = Type.Object({
  orderId: Uuid,
  reason: Type.String(),
  refundRequired: Type.Boolean()
})
export type OrderCancelled = Static<typeof OrderCancelledSchema>

export interface PaymentSucceeded { orderId: string, paymentId: string, amountCents: number, method: 'wallet' | 'card' }
export interface PaymentFailed extends PaymentSucceeded { reason: string }

export const orderPlacedChecker = TypeCompiler.Compile(OrderPlacedSchema)
export const orderCancelledChecker = TypeCompiler.Compile(OrderCancelledSchema)

/** The first validation error of an event's data, as one line (for the dead-letter header). */
export function describeInvalid (checker: typeof orderPlacedChecker | typeof orderCancelledChecker, data: unknown): string {
  const first = checker.Errors(data).First()
  return first === undefined ? 'invalid event data' : `invalid event data: ${first.path || '/'} ${first.message}`
}
