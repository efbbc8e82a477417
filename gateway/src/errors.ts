import createError from '@fastify/error'
import { declareError, retryAfter } from '@lab/platform'

/**
 * Every error the gateway answers on purpose, with the GATEWAY_ prefix. The platform's error handler
 * turns them into `{ statusCode, code, error, message, requestId }`; the upstream ones (5xx) are safe
 * to show, declared `expose`. The admin API's errors are in admin/errors.ts.
 */
export const UpstreamUnavailableError = declareError<[upstream: string, reason: string, options?: { cause: unknown }]>('GATEWAY_UPSTREAM_UNAVAILABLE', 'upstream %s is unavailable: %s', 503, { expose: true })
/** The upstream's breaker is open: Retry-After is its reset timeout, after which a call gets through. */
export class UpstreamBreakerOpenError extends UpstreamUnavailableError {
  constructor (upstream: string, retryAfterSeconds: number) {
    super(upstream, 'circuit breaker open')
    this.headers = retryAfter(retryAfterSeconds)
  }
}
export const UpstreamTimeoutError = declareError<[upstream: string, timeoutMs: number]>('GATEWAY_UPSTREAM_TIMEOUT', 'upstream %s did not answer within %d ms', 504, { expose: true })
export const NoHealthyReplicaError = declareError<[upstream: string]>('GATEWAY_NO_HEALTHY_REPLICA', 'no healthy replica of %s', 503, { expose: true })
export const RateLimitedError = createError('GATEWAY_RATE_LIMITED', 'rate limit exceeded, retry in %s', 429)
/** Checked at the edge before forwarding (parseStrictJson); Fastify's own code, as every service answers malformed JSON. */
export { InvalidJsonBodyError } from '@lab/platform'
