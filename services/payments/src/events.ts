import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ORDERS_CANCELLED, ORDERS_PLACED, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED, uuidSchema } from '@lab/contracts'

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

const Uuid = uuidSchema()

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
