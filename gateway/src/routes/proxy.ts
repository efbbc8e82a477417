import { Type } from '@sinclair/typebox'
import { errorResponses, parseStrictJson, REQUEST_ID_HEADER } from '@lab/platform'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { Upstream } from '../upstream/upstream.js'

/** Headers that describe one hop, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']
/** On requests the gateway also drops host (the upstream's own) and content-length (recomputed for the checked body). */
const REQUEST_SKIP = new Set([...HOP_BY_HOP, 'host', 'content-length'])
const RESPONSE_SKIP = new Set(HOP_BY_HOP)

export interface ProxyRouteOptions {
  /**
   * Path prefix at the gateway, e.g. `/catalog`; both `<path>` and `<path>/*` are routed. (Not named
   * `prefix`: Fastify's register() would apply that to every route itself.)
   */
  path: string
  /** What `path` becomes upstream: `''` strips it (`/catalog/products/1` → `/products/1`). */
  rewritePrefix: string
  upstream: Upstream
  /** A long-lived response such as Server-Sent Events: streamed with no time limit between chunks. */
  streaming?: boolean
  methods?: HTTPMethods[]
  /** Route config (e.g. the rate-limit policy) applied to every proxied path. */
  config?: Record<string, unknown>
}

/**
 * Forwards `<path>/*` to an upstream. Bodies are checked here (JSON read as strictly as the services
 * read it, size within the gateway's limit) so bad input is answered at the edge, then forwarded byte
 * for byte; the answer is streamed back as it arrives.
 */
export const proxyRoute: FastifyPluginAsync<ProxyRouteOptions> = async (app, { path: prefix, rewritePrefix, upstream, streaming, methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], config }) => {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
      // The services' own rules (strict-json.ts): a body one of them would refuse is refused here, and
      // one the gateway reads one way (a key twice) never reaches a service that could read it another.
      try {
        parseStrictJson(body as Buffer)
        done(null, body)
      } catch (err) {
        done(err as Error, undefined)
      }
    })
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const response = await upstream.forward({
        method: request.method,
        path: upstreamPath(rewritePrefix + request.url.slice(prefix.length)),
        headers: forwardedHeaders(request),
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
        streaming
      })
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !RESPONSE_SKIP.has(name)) reply.header(name, value)
      }
      return reply.code(response.statusCode).send(response.body)
    }
    const response = errorResponses(400, 413, 415, 429, 503, 504)
    scope.route({ method: methods, url: prefix, schema: { response }, config, handler })
    scope.route({ method: methods, url: `${prefix}/*`, schema: { params: Type.Object({ '*': Type.String({ maxLength: 2048 }) }), response }, config, handler })
  })
}

function forwardedHeaders (request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || REQUEST_SKIP.has(name)) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  headers[REQUEST_ID_HEADER] = request.id
  const prior = request.headers['x-forwarded-for']
  headers['x-forwarded-for'] = prior === undefined ? request.ip : `${String(prior)}, ${request.ip}`
  return headers
}

/** `/catalog?x=1` with the prefix stripped is `?x=1`: an upstream path always starts with `/`. */
function upstreamPath (path: string): string {
  return path.startsWith('/') ? path : `/${path}`
}
