import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { CatalogFaultsSchema, CatalogFaultsUpdateSchema, type CatalogFaultSwitch } from '../faults.js'

/**
 * The catalog's fault flags. Reached through the gateway's admin API (which asks for the lab's admin
 * credential); the catalog itself listens on a private address and the gateway's public routes never
 * forward /admin. PUT changes the flags given; DELETE restores the healthy defaults.
 */
export const adminFaultRoutes: FastifyPluginAsyncTypebox<{ faults: CatalogFaultSwitch }> = async (app, { faults }) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/admin/faults', { schema: { response: { 200: CatalogFaultsSchema } } }, async () => faults.current())

  app.put('/admin/faults', {
    schema: { body: CatalogFaultsUpdateSchema, response: { 200: CatalogFaultsSchema, ...errorResponses(400, 415) } }
  }, async (request) => {
    const current = faults.update(request.body)
    request.log.warn({ faults: current }, 'fault flags changed')
    return current
  })

  app.delete('/admin/faults', { schema: { response: { 200: CatalogFaultsSchema } } }, async (request) => {
    request.log.warn('fault flags reset')
    return faults.reset()
  })
}
