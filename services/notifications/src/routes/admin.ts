import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, labAdminRoutes } from '@lab/platform'
import { FaultsSchema } from '../faults.js'

/**
 * The service's fault flags. Reached through the gateway's admin API (admin only); the service itself
 * listens on a private address. PUT replaces all flags: `{}` switches everything off, as DELETE does
 * (the verb the lab's reset uses on every service). The readiness fault comes from @lab/platform.
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/admin/faults', {
    schema: { response: { 200: FaultsSchema } }
  }, async () => app.faults.current())

  app.put('/admin/faults', {
    schema: { body: FaultsSchema, response: { 200: FaultsSchema, ...errorResponses(400, 415) } }
  }, async (request) => {
    app.faults.set(request.body)
    request.log.warn({ faults: request.body }, 'fault flags changed')
    return app.faults.current()
  })

  app.delete('/admin/faults', {
    schema: { response: { 200: FaultsSchema } }
  }, async (request) => {
    app.faults.set({})
    request.log.warn('fault flags reset')
    return app.faults.current()
  })

  await app.register(labAdminRoutes)
}
