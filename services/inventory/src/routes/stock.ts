import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { StockParamsSchema, StockSchema, StockUpdateSchema } from '../schemas/stock.js'

export const stockRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/stock/:productId', {
    schema: { params: StockParamsSchema, response: { 200: StockSchema, ...errorResponses(400, 404, 500) } }
  }, async (request) => await app.inventory.stock(Number(request.params.productId)))

  /**
   * For tests and experiments (a flash sale of 50 units at a price): sets the sellable units and the
   * price. Reserved units stay reserved; the version moves. Not for shoppers: the gateway does not
   * route it to the public.
   */
  app.put('/stock/:productId', {
    schema: { params: StockParamsSchema, body: StockUpdateSchema, response: { 200: StockSchema, ...errorResponses(400, 404, 413, 415, 500) } }
  }, async (request) => {
    const item = await app.inventory.setStock(Number(request.params.productId), request.body)
    request.log.info({ productId: item.productId, available: item.available, priceCents: item.priceCents }, 'stock set')
    return item
  })
}
