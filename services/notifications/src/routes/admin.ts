import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { FaultsSchema } from '../faults.js'

/**
 * The service's fault flags. Reached through the gateway's admin API (admin only); the service itself
 * listens on a private address. PUT replaces all flags: `{}` switches everything off.
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
}
