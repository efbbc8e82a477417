import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import { errorResponses, REQUEST_ID_HEADER } from '@lab/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Upstream } from '../upstream/upstream.js'

/** Headers that describe one hop, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length'])

export interface ProxyRouteOptions {
  /** Path prefix at the gateway, e.g. `/catalog`; stripped before forwarding. */
  prefix: string
  upstream: Upstream
  /** Route config (e.g. the rate-limit policy) applied to every proxied path. */
  config?: Record<string, unknown>
}

/**
 * Forwards `<prefix>/*` to an upstream. Bodies are checked here (JSON must parse, size within the
 * gateway's limit) so bad input is answered at the edge, then forwarded byte for byte.
 */
export const proxyRoute = fp<ProxyRouteOptions>(async (app, { prefix, upstream, config }) => {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
      try {
        JSON.parse(body.toString('utf8'))
        done(null, body)
      } catch {
        done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined)
      }
    })
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const response = await upstream.forward({
        method: request.method,
        path: request.url.slice(prefix.length) || '/',
        headers: forwardedHeaders(request),
        body: Buffer.isBuffer(request.body) ? request.body : undefined
      })
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value)
      }
      return reply.code(response.statusCode).send(response.body)
    }
    const schema = {
      params: Type.Object({ '*': Type.String({ maxLength: 2048 }) }),
      response: errorResponses(400, 413, 415, 429, 503, 504)
    }
    scope.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${prefix}/*`, schema, config, handler })
  })
}, { name: 'proxy-route' })

function forwardedHeaders (request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  headers[REQUEST_ID_HEADER] = request.id
  const prior = request.headers['x-forwarded-for']
  headers['x-forwarded-for'] = prior === undefined ? request.ip : `${String(prior)}, ${request.ip}`
  return headers
}
