import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import { Type } from '@sinclair/typebox'
import type { FastifyError } from 'fastify'

/**
 * The one error body every lab service answers with: machine-readable `code`, human `message`, and the
 * request id to find the matching log lines.
 */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  requestId: Type.String()
}, { $id: 'ErrorBody' })

/** Error responses for a route's schema, e.g. `response: { 200: Product, ...errorResponses(400, 404) }`. */
export function errorResponses (...codes: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(codes.map((code) => [code, ErrorBody]))
}

/**
 * One error handler per app. Errors below 500 (validation, malformed JSON, our own 4xx) pass through
 * with their code and message, and so do 5xx ones declared `expose` (declareError); anything else is
 * logged whole and answered generically, so no stack trace or internal detail leaves the service.
 * An error's `headers` (Retry-After, WWW-Authenticate) go on the answer whatever its status.
 * @see https://fastify.dev/docs/latest/Reference/Errors/
 */
export const errorHandlerPlugin = fp(async (app) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    for (const [name, value] of Object.entries(err.headers ?? {})) reply.header(name, value)
    if (statusCode >= 500) {
      if (err.code !== undefined && err.expose === true) {
        // An expected operational answer (breaker open, upstream timeout): a warning, not a crash report.
        request.log.warn({ code: err.code, message: err.message }, 'request failed')
        return reply.code(statusCode).send(body(statusCode, err.code, err.message, request.id))
      }
      request.log.error({ err }, 'request failed')
      return reply.code(statusCode).send(body(statusCode, 'INTERNAL_ERROR', 'internal error; see the service log for this request id', request.id))
    }
    const code = err.validation !== undefined ? 'VALIDATION_FAILED' : (err.code ?? 'BAD_REQUEST')
    // 404 and 429 are routine (and floods of 429 are the point of a rate-limit experiment): debug only.
    const level = statusCode === 404 || statusCode === 429 ? 'debug' : 'info'
    request.log[level]({ code, message: err.message }, 'request rejected')
    return reply.code(statusCode).send(body(statusCode, code, err.message, request.id))
  })

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(body(404, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`, request.id))
  })
}, { name: 'lab-errors' })

function body (statusCode: number, code: string, message: string, requestId: string) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId }
}

declare module 'fastify' {
  interface FastifyError {
    /** Set on a 5xx error whose message is safe to show (e.g. "upstream unavailable"): see declareError. */
    expose?: boolean
    /** Copied onto the answer (e.g. Retry-After): see declareError. */
    headers?: Readonly<Record<string, string>>
  }
}
