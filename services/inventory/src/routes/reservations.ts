import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { ReservationSchema, ReserveBodySchema } from '@lab/contracts'
import { ReservationParamsSchema, StrategyHeadersSchema } from '../schemas/reservation.js'
import { ATTEMPTS_HEADER } from '../stock/reserve.js'

/** Which strategy served the request, on every answer of POST /reservations. */
const STRATEGY_HEADER = 'x-inventory-strategy'

export const reservationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator: it never coerces a JSON body ({"quantity": "2"} is a 400, not 2).
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.post('/reservations', {
    schema: {
      headers: StrategyHeadersSchema,
      body: ReserveBodySchema,
      response: { 201: ReservationSchema, 200: ReservationSchema, ...errorResponses(400, 404, 409, 413, 415, 422, 500) }
    }
  }, async (request, reply) => {
    const strategy = request.headers['x-inventory-strategy'] ?? app.inventory.defaultStrategy
    reply.header(STRATEGY_HEADER, strategy)
    const result = await app.inventory.reserve(request.body, strategy)
    if (result.statusCode === 201) request.log.info({ reservationId: result.reservation.reservationId, productId: result.reservation.productId, quantity: result.reservation.quantity, strategy, attempts: result.attempts }, 'stock reserved')
    reply.header(ATTEMPTS_HEADER, String(result.attempts))
    return await reply.code(result.statusCode).send(result.reservation)
  })

  // Takes no body. Idempotent: releasing a released reservation answers it again, changing nothing.
  app.post('/reservations/:id/release', {
    schema: { params: ReservationParamsSchema, response: { 200: ReservationSchema, ...errorResponses(400, 404, 409, 500) } }
  }, async (request) => {
    const { reservation, replayed } = await app.inventory.release(request.params.id)
    if (!replayed) request.log.info({ reservationId: reservation.reservationId, productId: reservation.productId, quantity: reservation.quantity }, 'reservation released')
    return reservation
  })
}
