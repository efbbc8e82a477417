import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { EventType } from '../topics.js'

/**
 * The `data` of each checkout event, as the contract defines it. Extra properties are allowed: a
 * producer adding a field must not turn every later event into a poison message. Missing or mistyped
 * ones are not: the notification could not be written, so the message is retried, then dead-lettered.
 */
const Id = Type.String({ minLength: 1, maxLength: 128 })
const Cents = Type.Integer({ minimum: 0 })
const Method = Type.Union([Type.Literal('wallet'), Type.Literal('card')])
const Reason = Type.String({ minLength: 1, maxLength: 500 })

export const OrderPlacedData = Type.Object({
  orderId: Id,
  customerId: Id,
  productId: Type.Integer({ minimum: 1 }),
  quantity: Type.Integer({ minimum: 1 }),
  amountCents: Cents,
  paymentMethod: Method
})
export const OrderConfirmedData = Type.Object({ orderId: Id })
export const OrderCancelledData = Type.Object({ orderId: Id, reason: Reason, refundRequired: Type.Boolean() })
export const PaymentSucceededData = Type.Object({ orderId: Id, paymentId: Id, amountCents: Cents, method: Method })
export const PaymentFailedData = Type.Object({ orderId: Id, paymentId: Id, amountCents: Cents, method: Method, reason: Reason })

export interface EventData {
  'orders.placed.v1': Static<typeof OrderPlacedData>
  'orders.confirmed.v1': Static<typeof OrderConfirmedData>
  'orders.cancelled.v1': Static<typeof OrderCancelledData>
  'payments.succeeded.v1': Static<typeof PaymentSucceededData>
  'payments.failed.v1': Static<typeof PaymentFailedData>
}

export const EVENT_DATA_SCHEMAS: Record<EventType, TSchema> = {
  'orders.placed.v1': OrderPlacedData,
  'orders.confirmed.v1': OrderConfirmedData,
  'orders.cancelled.v1': OrderCancelledData,
  'payments.succeeded.v1': PaymentSucceededData,
  'payments.failed.v1': PaymentFailedData
}
