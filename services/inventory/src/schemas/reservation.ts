import { Type, type Static } from '@sinclair/typebox'
import { STRATEGIES } from '../config.js'

/**
 * A UUID in its canonical text form, either case (RFC 9562 §4: compared case-insensitively; answered
 * in lower case). A pattern rather than `format: 'uuid'`: TypeBox's validator knows no formats.
 */
export const UuidSchema = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'a UUID' })

/** Product ids are int4 in the database: the bound keeps an out-of-range id a 400, not a 500. */
export const ProductIdNumberSchema = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** POST /reservations (notes/checkout.md). Unknown fields are rejected; nothing is coerced. */
export const ReserveBodySchema = Type.Object({
  reservationId: UuidSchema,
  productId: ProductIdNumberSchema,
  quantity: Type.Integer({ minimum: 1, maximum: 100 })
}, { additionalProperties: false })
export type ReserveBody = Static<typeof ReserveBodySchema>

/**
 * `x-inventory-strategy: optimistic | naive | pessimistic` picks the strategy for this one request,
 * instead of INVENTORY_STRATEGY: how the tests and the bench run the three side by side on one service.
 * A lab feature: in a real shop no client would get to choose a lost update.
 */
export const StrategyHeadersSchema = Type.Object({
  'x-inventory-strategy': Type.Optional(Type.Union(STRATEGIES.map((s) => Type.Literal(s))))
})

export const ReservationParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })

export const ReservationSchema = Type.Object({
  reservationId: Type.String(),
  productId: Type.Integer(),
  quantity: Type.Integer(),
  unitPriceCents: Type.Integer(),
  amountCents: Type.Integer(),
  status: Type.Union([Type.Literal('reserved'), Type.Literal('released')])
})
