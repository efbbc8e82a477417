import createError from '@fastify/error'
import { declareError } from '@lab/platform'

/**
 * Errors of the HTTP Idempotency-Key machinery, shared by every service that uses it.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export const IdempotencyKeyMissingError = createError('IDEMPOTENCY_KEY_MISSING', 'this request needs an Idempotency-Key header', 400)
export const IdempotencyKeyInvalidError = createError('IDEMPOTENCY_KEY_INVALID', 'the Idempotency-Key header must be 1 to 255 printable ASCII characters, bare or as a quoted string', 400)
export const IdempotencyKeyReusedError = createError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request body', 422)
/** Retry-After 1: the first attempt is usually done within a second. */
export const IdempotencyRequestInProgressError = declareError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later', 409, { retryAfterSeconds: 1 })

/** A stored 4xx answer, thrown again on a replay so the app's error handler renders it as the first time. */
export class ReplayedError extends Error {
  override name = 'ReplayedError'
  readonly statusCode: number
  readonly code: string
  readonly headers = { 'idempotent-replayed': 'true' }

  constructor ({ statusCode, code, message }: { statusCode: number, code: string, message: string }) {
    super(message)
    this.statusCode = statusCode
    this.code = code
  }
}
