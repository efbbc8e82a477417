import { Type, type Static } from '@sinclair/typebox'

export const CategorySchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  product_count: Type.Integer()
})
export type Category = Static<typeof CategorySchema>

export const CategoryListSchema = Type.Object({ items: Type.Array(CategorySchema) })
