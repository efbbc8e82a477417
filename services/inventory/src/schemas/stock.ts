import { Type, type Static } from '@sinclair/typebox'

/**
 * A product id in a path: decimal digits only, at most 9 (so below int4's 2^31, never a 500), matched
 * as a string and converted by the handler; a lenient conversion would read "1.5" or "1e3" as an id.
 */
export const StockParamsSchema = Type.Object({
  productId: Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'a product id: a positive integer' })
}, { additionalProperties: false })

export const StockSchema = Type.Object({
  productId: Type.Integer(),
  available: Type.Integer(),
  reserved: Type.Integer(),
  priceCents: Type.Integer(),
  version: Type.Integer()
})

/** PUT /stock/:productId: both fields, whole numbers, no others. */
export const StockUpdateSchema = Type.Object({
  available: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  priceCents: Type.Integer({ minimum: 0, maximum: 100_000_000 })
}, { additionalProperties: false })
export type StockUpdate = Static<typeof StockUpdateSchema>
