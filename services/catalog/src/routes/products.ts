import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { ProductSchema, ProductListSchema, ProductListQuerySchema, ProductPageSchema, ProductParamsSchema, ProductUpdateSchema } from '../schemas/product.js'
import { EmptyUpdateError, InvalidCursorError, ProductNotFoundError, VersionConflictError } from '../errors.js'
import { decodeCursor, encodeCursor } from '../cursor.js'

const DEFAULT_LIMIT = 20
/** Tells clients (and the lab's experiments) where an answer came from: hit, miss, bypass, or off (the cache switched off). */
const CACHE_HEADER = 'x-cache'

export const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator, for this plugin's routes: it never coerces a JSON body ({"price_cents":
  // "12"} is a 400, not 12), which the shared Ajv setting (coerceTypes) would. Numbers in paths and
  // query strings are matched as decimal strings by the schemas (see schemas/product.ts).
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/products/:id', {
    schema: { params: ProductParamsSchema, response: { 200: ProductPageSchema, ...errorResponses(400, 404, 500) } }
  }, async (request, reply) => {
    const { value, source } = await app.productPages.read(Number(request.params.id))
    reply.header(CACHE_HEADER, source === 'negative_hit' ? 'hit' : source)
    if (value === null) throw new ProductNotFoundError(request.params.id)
    return value
  })

  app.put('/products/:id', {
    schema: { params: ProductParamsSchema, body: ProductUpdateSchema, response: { 200: ProductSchema, ...errorResponses(400, 404, 409, 413, 415, 500) } }
  }, async (request) => {
    const id = Number(request.params.id)
    const { name, description, price_cents: priceCents } = request.body
    if (name === undefined && description === undefined && priceCents === undefined) throw new EmptyUpdateError()
    const outcome = await app.catalogDb.updateProduct(id, request.body)
    if (outcome.status === 'not_found') throw new ProductNotFoundError(request.params.id)
    if (outcome.status === 'version_conflict') throw new VersionConflictError(request.params.id, outcome.currentVersion, request.body.version ?? 0)
    // Only after the commit, and before answering: the writer's next read must see its own write.
    await app.productPages.invalidate(id)
    request.log.info({ productId: id, version: outcome.product.version }, 'product updated')
    return outcome.product
  })

  app.get('/products', {
    schema: { querystring: ProductListQuerySchema, response: { 200: ProductListSchema, ...errorResponses(400, 500) } }
  }, async (request) => {
    const { cursor, category } = request.query
    const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit)
    const afterId = cursor === undefined ? 0 : decodeCursor(cursor)
    if (afterId === undefined) throw new InvalidCursorError()
    const rows = await app.catalogDb.listProducts({ afterId, limit, categoryId: category === undefined ? undefined : Number(category) })
    const items = rows.slice(0, limit)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null }
  })
}
