import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { CategoryListSchema } from '../schemas/category.js'

export const categoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/categories', { schema: { response: { 200: CategoryListSchema, ...errorResponses(500) } } }, async () => {
    return { items: await app.catalogDb.listCategories() }
  })
}
