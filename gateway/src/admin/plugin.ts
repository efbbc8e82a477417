import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, type SwitchSet } from '@lab/platform'
import type { FastifyError } from 'fastify'
import type { GatewayConfig } from '../config.js'
import type { GatewayMetrics } from '../metrics.js'
import { adminDoor } from './auth.js'
import { AuthFailureWindows } from './auth-failures.js'
import { chaosStatus, resetChaos, type ChaosContext } from './chaos-state.js'
import { AdminAuthLockedError, AdminRouteNotFoundError } from './errors.js'
import { proxyRoutes } from './proxy-routes.js'
import { ChaosStatus } from './schemas.js'
import { serviceRoutes } from './service-routes.js'
import { adminTargets } from './targets.js'
import { createToxiproxyClient } from './toxiproxy.js'

export interface AdminPluginOptions {
  config: GatewayConfig & { ADMIN_TOKEN: string }
  switches: SwitchSet
  metrics: Pick<GatewayMetrics, 'adminAuthFailures' | 'adminRateLimited'>
}

/**
 * The lab's one front door for breaking things on purpose (docs/chaos.md), every route behind the
 * admin credential, /admin/* unknown ones included (401/403 before any 404):
 *   GET  /admin/chaos          what is broken now      POST /admin/chaos/reset   a healthy lab again
 *   PUT|DELETE /admin/chaos/proxies/<proxy>[/<fault>]   Toxiproxy per dependency
 *   /admin/chaos/services/<service>/{faults,switches,readiness}   the services' own admin routes
 *
 * Rate limited against guessing, in two ways (docs/chaos.md): one request budget per client address for
 * all of /admin/… (ADMIN_RATE_LIMIT_*, in Redis like every route's, its own so a flood of public
 * requests never uses it up: the lab stays repairable in the middle of one), and a lockout after a few
 * wrong credentials (ADMIN_AUTH_FAILURES_*, auth-failures.ts). Both follow the `rate-limit` switch.
 */
export const adminPlugin: FastifyPluginAsyncTypebox<AdminPluginOptions> = async (app, { config, switches, metrics }) => {
  // Strict bodies: "false" is not false, "200" is not 200.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  const failures = new AuthFailureWindows({ max: config.ADMIN_AUTH_FAILURES_MAX, windowMs: config.ADMIN_AUTH_FAILURES_WINDOW_MS })
  app.addHook('preParsing', adminDoor({
    token: config.ADMIN_TOKEN,
    failures,
    guarding: () => switches.enabled('rate-limit'),
    onWrongCredential: () => { metrics.adminAuthFailures.inc() }
  }))
  // Before the error handler answers: the error's own status, not the reply's yet.
  app.addHook('onError', async (_request, _reply, error: FastifyError) => {
    if (error.statusCode !== 429) return
    metrics.adminRateLimited.inc({ reason: error instanceof AdminAuthLockedError ? 'auth_failures' : 'requests' })
  })
  const ctx: ChaosContext = {
    toxiproxy: createToxiproxyClient(config.TOXIPROXY_URL),
    proxies: config.CHAOS_PROXIES.split(','),
    targets: adminTargets(config),
    switches,
    app,
    routeConfig: { rateLimitPolicy: { algorithm: 'sliding-window', max: config.ADMIN_RATE_LIMIT_MAX, windowMs: config.ADMIN_RATE_LIMIT_WINDOW_MS, budget: 'admin' } }
  }

  app.get('/admin/chaos', { config: ctx.routeConfig, schema: { response: { 200: ChaosStatus, ...errorResponses(401, 403, 429, 503) } } }, async () => await chaosStatus(ctx))

  app.post('/admin/chaos/reset', { config: ctx.routeConfig, schema: { response: { 200: ChaosStatus, ...errorResponses(401, 403, 429, 503) } } }, async (request) => {
    await resetChaos(ctx)
    request.log.warn('chaos reset: proxies healed, flags default, switches on')
    return await chaosStatus(ctx)
  })

  await app.register(proxyRoutes, { ctx })
  await app.register(serviceRoutes, { ctx })

  const notFound = { config: ctx.routeConfig, schema: { response: errorResponses(401, 403, 404, 429) } }
  app.all('/admin', notFound, async (request) => { throw new AdminRouteNotFoundError(request.url) })
  app.all('/admin/*', notFound, async (request) => { throw new AdminRouteNotFoundError(request.url.split('?')[0] ?? '') })
}
