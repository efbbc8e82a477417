import createError from '@fastify/error'

export const UpstreamUnavailableError = createError('GATEWAY_UPSTREAM_UNAVAILABLE', 'upstream %s is unavailable: %s', 503)
export const UpstreamTimeoutError = createError('GATEWAY_UPSTREAM_TIMEOUT', 'upstream %s did not answer within %d ms', 504)
export const NoHealthyReplicaError = createError('GATEWAY_NO_HEALTHY_REPLICA', 'no healthy replica of %s', 503)
export const RateLimitedError = createError('GATEWAY_RATE_LIMITED', 'rate limit exceeded, retry in %s', 429)
