import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, type SwitchSet } from '@lab/platform'
import type { GatewayConfig } from '../config.js'
import { requireAdminToken } from './auth.js'
import { chaosStatus, resetChaos, type ChaosContext } from './chaos-state.js'
import { AdminRouteNotFoundError } from './errors.js'
import { proxyRoutes } from './proxy-routes.js'
import { ChaosStatus } from './schemas.js'
import { serviceRoutes } from './service-routes.js'
import { adminTargets } from './targets.js'
import { createToxiproxyClient } from './toxiproxy.js'

export interface AdminPluginOptions {
  config: GatewayConfig & { ADMIN_TOKEN: string }
  switches: SwitchSet
}

/**
 * The lab's one front door for breaking things on purpose (docs/chaos.md), every route behind the
 * admin credential, /admin/* unknown ones included (401/403 before any 404):
 *   GET  /admin/chaos          what is broken now      POST /admin/chaos/reset   a healthy lab again
 *   PUT|DELETE /admin/chaos/proxies/<proxy>[/<fault>]   Toxiproxy per dependency
 *   /admin/chaos/services/<service>/{faults,switches,readiness}   the services' own admin routes
 * Admin calls are not rate limited: the lab must be repairable in the middle of a flood.
 */
export const adminPlugin: FastifyPluginAsyncTypebox<AdminPluginOptions> = async (app, { config, switches }) => {
  // Strict bodies: "false" is not false, "200" is not 200.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  app.addHook('onRequest', requireAdminToken(config.ADMIN_TOKEN))
  const ctx: ChaosContext = {
    toxiproxy: createToxiproxyClient(config.TOXIPROXY_URL),
    proxies: config.CHAOS_PROXIES.split(','),
    targets: adminTargets(config),
    switches,
    app
  }
  const noRateLimit = { rateLimit: false }

  app.get('/admin/chaos', { config: noRateLimit, schema: { response: { 200: ChaosStatus, ...errorResponses(401, 403, 503) } } }, async () => await chaosStatus(ctx))

  app.post('/admin/chaos/reset', { config: noRateLimit, schema: { response: { 200: ChaosStatus, ...errorResponses(401, 403, 503) } } }, async (request) => {
    await resetChaos(ctx)
    request.log.warn('chaos reset: proxies healed, flags default, switches on')
    return await chaosStatus(ctx)
  })

  await app.register(proxyRoutes, { ctx })
  await app.register(serviceRoutes, { ctx })

  const notFound = { config: noRateLimit, schema: { response: errorResponses(401, 403, 404) } }
  app.all('/admin', notFound, async (request) => { throw new AdminRouteNotFoundError(request.url) })
  app.all('/admin/*', notFound, async (request) => { throw new AdminRouteNotFoundError(request.url.split('?')[0] ?? '') })
}
