import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { errorResponses, type LabApp } from '@lab/platform'
import type { ChaosContext } from './chaos-state.js'
import { UnknownServiceError, UnknownSwitchError } from './errors.js'
import { ForwardedAnswer, InstanceQuery, Readiness, SERVICE_FAULTS, ServiceParams, SwitchChanges } from './schemas.js'
import { callAdmin, selectTargets } from './targets.js'

const responses = { 200: ForwardedAnswer, ...errorResponses(400, 401, 403, 404, 415, 429, 503) }
/** The schema of the routes named by `:service`, the gateway included. */
const byServiceSchema = { params: ServiceParams, querystring: InstanceQuery, response: responses }

/** The services with admin targets, in the order of the targets. */
const servicesOf = (ctx: ChaosContext): string[] => [...new Set(ctx.targets.map((t) => t.service))]

/**
 * Calls one admin route on every instance of a service, or on the one `?instance=` names, and answers
 * with every instance's answer; the first 4xx or 5xx of an instance is passed on as it is instead.
 */
function forwarderTo (ctx: ChaosContext) {
  const services = servicesOf(ctx)
  return async (reply: FastifyReply, service: string, instance: string | undefined, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown) => {
    const targets = selectTargets(ctx.targets, service, instance)
    if (targets.length === 0) throw new UnknownServiceError(service, ['gateway', ...services].join(', '))
    const answers = await Promise.all(targets.map(async (t) => ({ instance: t.instance, ...(await callAdmin(t, method, path, body)) })))
    const refused = answers.find((a) => a.statusCode >= 400)
    if (refused !== undefined) return await reply.code(refused.statusCode).send(refused.body)
    return { service, instances: answers }
  }
}

type Forward = ReturnType<typeof forwarderTo>

/** The gateway's own answer, in the shape of a forwarded one. */
const answeredByGateway = (body: unknown) => ({ service: 'gateway', instances: [{ instance: 'gateway', statusCode: 200, body }] })

/** `/admin/chaos/services/<service>/faults` for each service that declares fault flags (each its own body schema). */
function faultFlagRoutes (app: LabApp, ctx: ChaosContext, forward: Forward): void {
  for (const service of servicesOf(ctx).filter((s) => SERVICE_FAULTS[s] !== undefined)) {
    const path = `/admin/chaos/services/${service}/faults`
    const schema = { querystring: InstanceQuery, response: responses }
    app.get(path, { config: ctx.routeConfig, schema }, async (request, reply) => await forward(reply, service, request.query.instance, 'GET', '/admin/faults'))
    app.put(path, { config: ctx.routeConfig, schema: { ...schema, body: SERVICE_FAULTS[service] } }, async (request, reply) => {
      const answer = await forward(reply, service, request.query.instance, 'PUT', '/admin/faults', request.body)
      if (reply.statusCode < 400) request.log.warn({ service, instance: request.query.instance, faults: request.body }, 'fault flags changed')
      return answer
    })
    app.delete(path, { config: ctx.routeConfig, schema }, async (request, reply) => await forward(reply, service, request.query.instance, 'DELETE', '/admin/faults'))
  }
}

/** The pattern switches of a service's instances, or the gateway's own. */
function switchRoutes (app: LabApp, ctx: ChaosContext, forward: Forward): void {
  app.get('/admin/chaos/services/:service/switches', { config: ctx.routeConfig, schema: byServiceSchema }, async (request, reply) => {
    const { service } = request.params
    return service === 'gateway' ? answeredByGateway(ctx.switches.current()) : await forward(reply, service, request.query.instance, 'GET', '/admin/switches')
  })
  app.put('/admin/chaos/services/:service/switches', { config: ctx.routeConfig, schema: { ...byServiceSchema, body: SwitchChanges } }, async (request, reply) => {
    const { service } = request.params
    const changed = () => { if (reply.statusCode < 400) request.log.warn({ service, instance: request.query.instance, switches: request.body }, 'pattern switches changed') }
    if (service !== 'gateway') {
      const answer = await forward(reply, service, request.query.instance, 'PUT', '/admin/switches', request.body)
      changed()
      return answer
    }
    const unknown = Object.keys(request.body).filter((n) => !ctx.switches.names.includes(n))
    if (unknown.length > 0) throw new UnknownSwitchError(unknown.join(', '), ctx.switches.names.join(', '))
    const state = ctx.switches.set(request.body)
    changed()
    return answeredByGateway(state)
  })
  app.delete('/admin/chaos/services/:service/switches', { config: ctx.routeConfig, schema: byServiceSchema }, async (request, reply) => {
    const { service } = request.params
    return service === 'gateway' ? answeredByGateway(ctx.switches.reset()) : await forward(reply, service, request.query.instance, 'DELETE', '/admin/switches')
  })
}

/** The readiness fault of a service's instances, or of the gateway itself. */
function readinessRoutes (app: LabApp, ctx: ChaosContext, forward: Forward): void {
  app.get('/admin/chaos/services/:service/readiness', { config: ctx.routeConfig, schema: byServiceSchema }, async (request, reply) => {
    const { service } = request.params
    return service === 'gateway' ? answeredByGateway({ answering: !app.health.readinessFault() }) : await forward(reply, service, request.query.instance, 'GET', '/admin/faults/readiness')
  })
  app.put('/admin/chaos/services/:service/readiness', { config: ctx.routeConfig, schema: { ...byServiceSchema, body: Readiness } }, async (request, reply) => {
    const { service } = request.params
    if (service === 'gateway') app.health.setReadinessFault(!request.body.answering)
    const answer = service === 'gateway'
      ? answeredByGateway({ answering: request.body.answering })
      : await forward(reply, service, request.query.instance, 'PUT', '/admin/faults/readiness', request.body)
    if (reply.statusCode < 400) request.log.warn({ service, instance: request.query.instance, answering: request.body.answering }, 'readiness fault changed')
    return answer
  })
}

/**
 * The services' own admin routes, fronted: fault flags, pattern switches and the readiness fault of
 * every instance of a service, or of one (`?instance=catalog-2`). A 4xx from an instance (an unknown
 * switch, say) is passed on as it is. The gateway's own switches and readiness are served here too
 * (service `gateway`).
 */
export const serviceRoutes: FastifyPluginAsyncTypebox<{ ctx: ChaosContext }> = async (app, { ctx }) => {
  const forward = forwarderTo(ctx)
  faultFlagRoutes(app, ctx, forward)
  switchRoutes(app, ctx, forward)
  readinessRoutes(app, ctx, forward)
}
