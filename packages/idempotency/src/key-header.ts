import type { FastifyReply, FastifyRequest } from 'fastify'
import { IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from './errors.js'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'

const MAX_KEY_LENGTH = 255
/** A bare key: printable ASCII without a double quote (a quote means the sf-string form). */
const bareKey = /^[\x20\x21\x23-\x7E]+$/
/** An sf-string: printable ASCII in quotes, where `"` and `\` appear only escaped as `\"` and `\\`. */
const sfString = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/

/**
 * The key an Idempotency-Key field value names, or undefined when the value is malformed. The draft
 * defines the field as an Item whose value is a String, `Idempotency-Key: "8e03978e-…"`; clients send
 * the bare `Idempotency-Key: 8e03978e-…` today, so both are accepted and name the same key (the
 * String's value, unescaped): a quoted retry of a bare request replays it. A quoted value must close
 * its quote at the end and escape only `"` and `\`; parameters after the String (which the draft
 * does not define) are refused rather than silently dropped. Either way the key is 1 to 255 printable
 * ASCII characters, not only spaces.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header-07#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.5 (parsing a String)
 */
export function parseIdempotencyKey (value: string): string | undefined {
  const quoted = sfString.exec(value)
  const key = quoted === null ? value : quoted[1]?.replace(/\\(["\\])/g, '$1')
  if (key === undefined || (quoted === null && !bareKey.test(key))) return undefined
  if (key.length > MAX_KEY_LENGTH || key.trim() === '') return undefined
  return key
}

/**
 * The request's Idempotency-Key, parsed once here for every route that takes one (bare or quoted, see
 * {@link parseIdempotencyKey}), or a 400 (IDEMPOTENCY_KEY_MISSING / IDEMPOTENCY_KEY_INVALID).
 */
export function requireIdempotencyKey (request: Pick<FastifyRequest, 'headers'>): string {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER]
  if (value === undefined || value === '') throw new IdempotencyKeyMissingError()
  const key = typeof value === 'string' ? parseIdempotencyKey(value) : undefined
  if (key === undefined) throw new IdempotencyKeyInvalidError()
  return key
}

/** Send a `withIdempotency` result: its status, `idempotent-replayed: true` on a replay, its body. */
export function sendIdempotent (reply: FastifyReply, result: { statusCode: number, body: unknown, replayed: boolean }): FastifyReply {
  if (result.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
  return reply.code(result.statusCode).send(result.body)
}
