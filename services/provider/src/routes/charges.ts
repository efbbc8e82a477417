import { setTimeout as sleep } from 'node:timers/promises'
import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { ChargeAcceptedSchema, ChargeParamsSchema, ChargeRequestSchema, ChargeSchema } from '../schemas/charge.js'
import { ChargeMismatchError, ChargeNotFoundError, InvalidCallbackUrlError, ProviderUnavailableError } from '../errors.js'
import { viewCharge } from '../charges/charge-store.js'

/** Tells a caller that its POST matched a charge it had already made (nothing new was charged). */
const REPLAYED_HEADER = 'idempotent-replayed'

export const chargeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator: it never coerces a JSON body ({"amountCents": "12"} is a 400, not 12).
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  /**
   * Accepts a charge for processing; the decision comes later, by callback. Idempotent on chargeId:
   * a caller that timed out retries with the same chargeId and body and gets the same charge back
   * (202, with its current status), never a second charge.
   * Fault knobs, in this order: latencyMs delays the answer (the work still happens after a caller
   * gave up, as with a real slow provider: that is why callers must retry with the same chargeId);
   * errorRate answers 503 before anything is stored.
   */
  app.post('/charges', {
    schema: { body: ChargeRequestSchema, response: { 202: ChargeAcceptedSchema, ...errorResponses(400, 409, 413, 415, 503) } }
  }, async (request, reply) => {
    if (!isHttpUrl(request.body.callbackUrl)) throw new InvalidCallbackUrlError()
    const { store, processor, faults, metrics, closing } = app.provider
    const { latencyMs } = faults.current()
    if (latencyMs > 0) {
      try {
        await sleep(latencyMs, undefined, { signal: closing })
      } catch {
        throw new ProviderUnavailableError() // shutting down
      }
    }
    if (faults.roll('errorRate')) {
      metrics.charges.inc({ outcome: 'unavailable' })
      throw new ProviderUnavailableError()
    }

    const outcome = store.register(request.body, request.id)
    const { charge } = outcome
    if (outcome.kind === 'mismatch') throw new ChargeMismatchError(charge.chargeId)
    if (outcome.kind === 'created') {
      processor.schedule(charge)
      metrics.charges.inc({ outcome: 'accepted' })
      metrics.chargesStored.set(store.size)
      request.log.info({ chargeId: charge.chargeId, amountCents: charge.amountCents }, 'charge accepted')
    } else {
      metrics.charges.inc({ outcome: 'duplicate' })
      reply.header(REPLAYED_HEADER, 'true')
      request.log.info({ chargeId: charge.chargeId, status: charge.status }, 'charge requested again; nothing new charged')
    }
    reply.code(202)
    return { chargeId: charge.chargeId, status: charge.status, ...(charge.reason !== undefined ? { reason: charge.reason } : {}) }
  })

  /** A charge's state, for a caller reconciling payments whose callback never came. */
  app.get('/charges/:chargeId', {
    schema: { params: ChargeParamsSchema, response: { 200: ChargeSchema, ...errorResponses(400, 404) } }
  }, async (request) => {
    const charge = app.provider.store.get(request.params.chargeId)
    if (charge === undefined) throw new ChargeNotFoundError(request.params.chargeId)
    return viewCharge(charge)
  })
}

function isHttpUrl (value: string): boolean {
  const url = URL.parse(value)
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
}
