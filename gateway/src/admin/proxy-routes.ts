import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import type { ChaosContext } from './chaos-state.js'
import { UnknownProxyError } from './errors.js'
import { PROXY_FAULTS, ProxyParams, ProxyStatus } from './schemas.js'
import type { ProxyState } from './toxiproxy.js'

/**
 * Toxiproxy faults per dependency: PUT /admin/chaos/proxies/<proxy>/<latency|timeout|reset-peer|bandwidth|down>,
 * DELETE /admin/chaos/proxies/<proxy> heals it. Only the lab's proxies (CHAOS_PROXIES), never a test's.
 */
export const proxyRoutes: FastifyPluginAsyncTypebox<{ ctx: ChaosContext }> = async (app, { ctx }) => {
  async function stateOf (proxy: string): Promise<ProxyState> {
    const found = ctx.proxies.includes(proxy) ? (await ctx.toxiproxy.proxies()).find((p) => p.name === proxy) : undefined
    if (found === undefined) throw new UnknownProxyError(proxy, ctx.proxies.join(', '))
    return found
  }
  const responses = { 200: ProxyStatus, ...errorResponses(400, 401, 403, 404, 415, 429, 503) }

  for (const [fault, { body, toxic }] of Object.entries(PROXY_FAULTS)) {
    app.put(`/admin/chaos/proxies/:proxy/${fault}`, { config: ctx.routeConfig, schema: { params: ProxyParams, body, response: responses } }, async (request) => {
      const { proxy } = request.params
      await stateOf(proxy)
      await ctx.toxiproxy.applyToxic(proxy, (toxic as (b: unknown) => { type: 'latency', attributes: Record<string, number> })(request.body))
      request.log.warn({ proxy, fault, settings: request.body }, 'toxic applied')
      return await stateOf(proxy)
    })
  }

  app.put('/admin/chaos/proxies/:proxy/down', { config: ctx.routeConfig, schema: { params: ProxyParams, response: responses } }, async (request) => {
    const { proxy } = request.params
    await stateOf(proxy)
    await ctx.toxiproxy.setEnabled(proxy, false)
    request.log.warn({ proxy }, 'proxy disabled: dependency down')
    return await stateOf(proxy)
  })

  app.delete('/admin/chaos/proxies/:proxy', { config: ctx.routeConfig, schema: { params: ProxyParams, response: responses } }, async (request) => {
    const { proxy } = request.params
    await stateOf(proxy)
    await ctx.toxiproxy.heal(proxy)
    request.log.warn({ proxy }, 'proxy healed')
    return await stateOf(proxy)
  })
}
