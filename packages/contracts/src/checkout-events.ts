import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { uuidSchema } from './uuid.js'
import { CHECKOUT_TOPICS, ORDERS_CANCELLED, ORDERS_CONFIRMED, ORDERS_PLACED, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED, type CheckoutTopic } from './topics.js'

/**
 * The `data` of each checkout event, declared once: the producer builds it with these types and every
 * reader checks it against the same schema, so a change to a payload fails the typecheck or the
 * contract test (test/checkout-events.test.ts) until every side agrees. Extra properties are allowed:
 * a producer adding a field must not turn every later event into a poison message (a tolerant reader).
 * Missing or mistyped ones are not: the reader could not act on the event, so it is retried, then
 * dead-lettered. Who writes and who reads each topic: docs/patterns/saga.md.
 */
const Uuid = uuidSchema()
const Cents = Type.Integer({ minimum: 1 })
const PaymentMethod = Type.Union([Type.Literal('wallet'), Type.Literal('card')])
const Reason = Type.String({ minLength: 1, maxLength: 500 })

export const OrderPlacedSchema = Type.Object({
  orderId: Uuid,
  customerId: Type.String({ minLength: 1, maxLength: 64 }),
  productId: Type.Integer({ minimum: 1 }),
  quantity: Type.Integer({ minimum: 1 }),
  amountCents: Cents,
  paymentMethod: PaymentMethod
})
export const OrderConfirmedSchema = Type.Object({ orderId: Uuid })
/** `refundRequired`: the payment succeeded after the order was cancelled (a timeout won), so payments gives it back. */
export const OrderCancelledSchema = Type.Object({ orderId: Uuid, reason: Reason, refundRequired: Type.Boolean() })
export const PaymentSucceededSchema = Type.Object({ orderId: Uuid, paymentId: Uuid, amountCents: Cents, method: PaymentMethod })
export const PaymentFailedSchema = Type.Object({ orderId: Uuid, paymentId: Uuid, amountCents: Cents, method: PaymentMethod, reason: Reason })

export type OrderPlaced = Static<typeof OrderPlacedSchema>
export type OrderConfirmed = Static<typeof OrderConfirmedSchema>
export type OrderCancelled = Static<typeof OrderCancelledSchema>
export type PaymentSucceeded = Static<typeof PaymentSucceededSchema>
export type PaymentFailed = Static<typeof PaymentFailedSchema>

/** Each topic's payload type. */
export interface CheckoutEventData {
  [ORDERS_PLACED]: OrderPlaced
  [ORDERS_CONFIRMED]: OrderConfirmed
  [ORDERS_CANCELLED]: OrderCancelled
  [PAYMENTS_SUCCEEDED]: PaymentSucceeded
  [PAYMENTS_FAILED]: PaymentFailed
}

export const CHECKOUT_EVENT_SCHEMAS: { [K in CheckoutTopic]: TSchema } = {
  [ORDERS_PLACED]: OrderPlacedSchema,
  [ORDERS_CONFIRMED]: OrderConfirmedSchema,
  [ORDERS_CANCELLED]: OrderCancelledSchema,
  [PAYMENTS_SUCCEEDED]: PaymentSucceededSchema,
  [PAYMENTS_FAILED]: PaymentFailedSchema
}

// Compiled once: a reader checks every event it applies.
const checkers = Object.fromEntries(CHECKOUT_TOPICS.map((t) => [t, TypeCompiler.Compile(CHECKOUT_EVENT_SCHEMAS[t])])) as Record<CheckoutTopic, TypeCheck<TSchema>>

export type EventDataCheck<K extends CheckoutTopic> =
  | { ok: true, data: CheckoutEventData[K] }
  /** The first problem: where (a JSON pointer, '' for the data itself) and what. */
  | { ok: false, path: string, message: string }

/**
 * A reader's check of an event's data against its topic's contract: the typed data, or the first
 * problem, for the error that retries and then dead-letters the message.
 */
export function checkEventData<K extends CheckoutTopic> (type: K, data: unknown): EventDataCheck<K> {
  const checker = checkers[type]
  if (checker.Check(data)) return { ok: true, data: data as CheckoutEventData[K] }
  const first = checker.Errors(data).First()
  return first === undefined ? { ok: false, path: '', message: 'does not match the schema' } : { ok: false, path: first.path, message: first.message }
}
