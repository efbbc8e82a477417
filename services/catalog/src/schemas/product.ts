import { Type, type Static } from '@sinclair/typebox'

/**
 * Numbers in paths and query strings are matched as decimal strings, then converted by the handler:
 * a lenient conversion would read "1.5" as 1 or "true" as 1 and answer for the wrong product.
 * Ids have at most 15 digits, so they stay exact as JavaScript numbers (below 2^53).
 */
export const ProductIdSchema = Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'a product id: a positive integer' })
export const ProductParamsSchema = Type.Object({ id: ProductIdSchema }, { additionalProperties: false })

const Timestamp = Type.String({ format: 'date-time' })

export const CategoryRefSchema = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() })

export const ReviewSchema = Type.Object({
  id: Type.Integer(),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  title: Type.String(),
  body: Type.String(),
  created_at: Timestamp
})

export const RelatedProductSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  price_cents: Type.Integer(),
  average_rating: Type.Number(),
  review_count: Type.Integer()
})

/** GET /products/:id: everything a product page shows, in one document (what the cache stores). */
export const ProductPageSchema = Type.Object({
  id: Type.Integer(),
  sku: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price_cents: Type.Integer(),
  version: Type.Integer(),
  updated_at: Timestamp,
  category: CategoryRefSchema,
  review_count: Type.Integer(),
  average_rating: Type.Union([Type.Number(), Type.Null()]),
  latest_reviews: Type.Array(ReviewSchema, { maxItems: 5 }),
  related_products: Type.Array(RelatedProductSchema, { maxItems: 4 })
})
export type ProductPage = Static<typeof ProductPageSchema>

/** The product row itself: answered by PUT and listed by GET /products. */
export const ProductSchema = Type.Object({
  id: Type.Integer(),
  sku: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price_cents: Type.Integer(),
  category_id: Type.Integer(),
  version: Type.Integer(),
  updated_at: Timestamp
})
export type Product = Static<typeof ProductSchema>

/** PUT /products/:id. Unknown fields are rejected (400), not ignored; nothing is coerced. */
export const ProductUpdateSchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  price_cents: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  /** The version the client read; the update fails with 409 if the product changed since. */
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }))
}, { additionalProperties: false })
export type ProductUpdate = Static<typeof ProductUpdateSchema>

export const ProductListQuerySchema = Type.Object({
  /** 1..100, default 20. */
  limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: 'page size: 1..100' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** A category id. */
  category: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'a category id' }))
}, { additionalProperties: false })

export const ProductListSchema = Type.Object({
  items: Type.Array(ProductSchema),
  /** Opaque; pass it back as `cursor` for the next page. null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()])
})
export type ProductList = Static<typeof ProductListSchema>
