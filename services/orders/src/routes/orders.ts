import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { requireIdempotencyKey, sendIdempotent } from '@lab/idempotency'
import { OrderParamsSchema, OrderSchema, PlaceOrderHeadersSchema, PlaceOrderSchema } from '../schemas/order.js'
import { OrderNotFoundError } from '../errors.js'

export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator: it never coerces a JSON body ({"quantity": "2"} is a 400, not 2).
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.post('/orders', {
    schema: {
      headers: PlaceOrderHeadersSchema,
      body: PlaceOrderSchema,
      response: { 201: OrderSchema, ...errorResponses(400, 409, 413, 415, 422, 500, 503) }
    }
  }, async (request, reply) => {
    const idempotencyKey = requireIdempotencyKey(request)
    const result = await app.orders.place({ idempotencyKey, body: request.body, requestId: request.id, log: request.log })
    return sendIdempotent(reply, result)
  })

  app.get('/orders/:id', {
    schema: { params: OrderParamsSchema, response: { 200: OrderSchema, ...errorResponses(400, 404, 500) } }
  }, async (request) => {
    const order = await app.orders.find(request.params.id)
    if (order === null) throw new OrderNotFoundError(request.params.id)
    return order
  })
}
