import type { FastifyReply, FastifyRequest } from 'fastify'
import { IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from './errors.js'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'

const printable = /^[\x20-\x7E]{1,255}$/

/** The request's Idempotency-Key, or a 400 (IDEMPOTENCY_KEY_MISSING / IDEMPOTENCY_KEY_INVALID). */
export function requireIdempotencyKey (request: Pick<FastifyRequest, 'headers'>): string {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER]
  if (value === undefined || value === '') throw new IdempotencyKeyMissingError()
  if (typeof value !== 'string' || !printable.test(value) || value.trim() === '') throw new IdempotencyKeyInvalidError()
  return value
}

/** Send a `withIdempotency` result: its status, `idempotent-replayed: true` on a replay, its body. */
export function sendIdempotent (reply: FastifyReply, result: { statusCode: number, body: unknown, replayed: boolean }): FastifyReply {
  if (result.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
  return reply.code(result.statusCode).send(result.body)
}
