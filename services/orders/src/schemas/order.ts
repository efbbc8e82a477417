import { Type, type Static } from '@sinclair/typebox'
import { uuidSchema } from '@lab/contracts'

const PaymentMethod = Type.Union([Type.Literal('wallet'), Type.Literal('card')])
/** ISO 8601, UTC. Responses only. */
const Timestamp = Type.String({ format: 'date-time' })
const Uuid = uuidSchema()

/** POST /orders. Unknown fields are rejected (400), nothing is coerced ("2" is not a quantity). */
export const PlaceOrderSchema = Type.Object({
  customerId: Type.String({ pattern: '^c-[0-9]{4}$', description: 'c-0001 … c-1000' }),
  productId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  quantity: Type.Integer({ minimum: 1, maximum: 100 }),
  paymentMethod: PaymentMethod
}, { additionalProperties: false })
export type PlaceOrder = Static<typeof PlaceOrderSchema>

/**
 * The Idempotency-Key header, documented here; required and parsed by @lab/idempotency's
 * requireIdempotencyKey (IDEMPOTENCY_KEY_MISSING / IDEMPOTENCY_KEY_INVALID, 400), shared with payments.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header-07#section-2.1
 */
export const PlaceOrderHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'required: 1 to 255 printable ASCII characters, e.g. a UUID; the draft\'s quoted string ("…") or bare, both naming the same key' }))
})

export const OrderSchema = Type.Object({
  id: Uuid,
  customerId: Type.String(),
  productId: Type.Integer(),
  quantity: Type.Integer(),
  amountCents: Type.Integer(),
  paymentMethod: PaymentMethod,
  status: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('cancelled')]),
  /** Why the order was cancelled; null unless cancelled. */
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  reservationId: Uuid,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** Bumped by every state change. */
  version: Type.Integer()
})
export type Order = Static<typeof OrderSchema>

export const OrderParamsSchema = Type.Object({ id: Uuid }, { additionalProperties: false })
