import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyServerOptions } from 'fastify'

export const REQUEST_ID_HEADER = 'x-request-id'
const acceptable = /^[\w.:-]{1,128}$/

/**
 * Fastify options that take the caller's `x-request-id` (the gateway's, or a client's) when it looks
 * sane, and make a new one otherwise; pino then logs it as `reqId` (Fastify's default label) on every
 * line of the request.
 */
export const requestIdOptions: Pick<FastifyServerOptions, 'genReqId' | 'requestIdHeader'> = {
  requestIdHeader: false,
  genReqId: (req) => {
    const given = req.headers[REQUEST_ID_HEADER]
    return typeof given === 'string' && acceptable.test(given) ? given : randomUUID()
  }
}

/** Echo the request id on every response so a user can grep the logs for it. */
export const requestIdPlugin = fp(async (app) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
}, { name: 'lab-request-id' })
