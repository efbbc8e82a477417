import { Type, type Static } from '@sinclair/typebox'
import { uuidSchema } from './uuid.js'

/**
 * Inventory's reservation call, as inventory serves it and orders' inventory client makes it
 * (services/inventory/README.md, "API"): the body of POST /reservations and the reservation that it
 * and POST /reservations/:id/release answer.
 */

/** Product ids are int4 in inventory's database: the bound keeps an out-of-range id a 400, not a 500. */
export const ProductIdNumberSchema = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** POST /reservations. Unknown fields are rejected; nothing is coerced. */
export const ReserveBodySchema = Type.Object({
  reservationId: uuidSchema({ description: 'a UUID' }),
  productId: ProductIdNumberSchema,
  quantity: Type.Integer({ minimum: 1, maximum: 100 })
}, { additionalProperties: false })
export type ReserveBody = Static<typeof ReserveBodySchema>

/** A reservation as inventory answers it (and as orders checks the answer). */
export const ReservationSchema = Type.Object({
  reservationId: Type.String(),
  productId: Type.Integer(),
  quantity: Type.Integer(),
  unitPriceCents: Type.Integer(),
  amountCents: Type.Integer(),
  status: Type.Union([Type.Literal('reserved'), Type.Literal('released')])
})
export type Reservation = Static<typeof ReservationSchema>
