import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, labAdminRoutes } from '@lab/platform'
import { FaultsSchema, FaultsUpdateSchema } from '../schemas/faults.js'
import { EmptyFaultsUpdateError } from '../errors.js'

/**
 * The fault knobs, switched at run time. The provider is private to the topology; the gateway's admin
 * API (admin role only) fronts these routes for users.
 */
export const faultRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/admin/faults', { schema: { response: { 200: FaultsSchema } } }, async () => app.provider.faults.current())

  /** Changes the knobs given and keeps the others (so one knob can be turned without reading first). */
  app.put('/admin/faults', {
    schema: { body: FaultsUpdateSchema, response: { 200: FaultsSchema, ...errorResponses(400, 413, 415) } }
  }, async (request) => {
    if (Object.keys(request.body).length === 0) throw new EmptyFaultsUpdateError()
    const faults = app.provider.faults.update(request.body)
    request.log.warn({ faults }, 'fault knobs changed')
    return faults
  })

  /** Back to the values the provider booted with (PROVIDER_ERROR_RATE, …_LATENCY_MS, …_DECLINE_RATE). */
  app.delete('/admin/faults', { schema: { response: { 200: FaultsSchema } } }, async (request) => {
    const faults = app.provider.faults.reset()
    request.log.warn({ faults }, 'fault knobs reset')
    return faults
  })

  // The readiness fault every lab service shares (GET|PUT /admin/faults/readiness).
  await app.register(labAdminRoutes)
}
