import createError from '@fastify/error'
import { declareError } from '@lab/platform'

/**
 * Every error the provider answers on purpose, with the PROVIDER_ prefix. The platform's error handler
 * turns them into `{ statusCode, code, error, message, requestId }`.
 */
export const ChargeMismatchError = createError<[string]>('PROVIDER_CHARGE_MISMATCH', 'charge %s already exists with a different amount, currency or callbackUrl', 409)
export const ChargeNotFoundError = createError<[string]>('PROVIDER_CHARGE_NOT_FOUND', 'charge %s not found', 404)
export const InvalidCallbackUrlError = createError('PROVIDER_INVALID_CALLBACK_URL', 'callbackUrl must be an absolute http or https URL', 400)
export const EmptyFaultsUpdateError = createError('PROVIDER_EMPTY_FAULTS_UPDATE', 'give at least one of errorRate, latencyMs, declineRate', 400)

/**
 * The injected outage (errorRate knob), or the provider shutting down mid-request. `expose`: the
 * platform's handler shows this 5xx message as is and logs a warning, not a crash report.
 */
export const ProviderUnavailableError = declareError('PROVIDER_UNAVAILABLE', 'the payment provider is unavailable; retry later with the same chargeId', 503, { expose: true, retryAfterSeconds: 1 })
