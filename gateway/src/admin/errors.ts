import createError from '@fastify/error'
import { declareError, retryAfter } from '@lab/platform'

/**
 * Every error the admin API answers on purpose, with the GATEWAY_ADMIN_ prefix. A missing or wrong
 * credential answers WWW-Authenticate (RFC 6750 §3); an unreachable Toxiproxy or instance is a 503
 * safe to show, declared `expose`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export const AdminCredentialMissingError = declareError('GATEWAY_ADMIN_CREDENTIAL_MISSING', 'the admin API needs the lab admin credential: Authorization: Bearer <token>', 401, {
  headers: { 'www-authenticate': 'Bearer realm="lab-admin"' }
})
export const AdminCredentialWrongError = declareError('GATEWAY_ADMIN_CREDENTIAL_WRONG', 'this credential is not the lab admin credential', 403, {
  headers: { 'www-authenticate': 'Bearer realm="lab-admin", error="invalid_token"' }
})
const AdminAuthLocked = declareError<[seconds: number]>('GATEWAY_ADMIN_AUTH_LOCKED', 'too many wrong admin credentials from this address: retry in %d s', 429, {})
/** Too many wrong credentials from one address (auth-failures.ts): Retry-After and the draft's fields say until when. */
export class AdminAuthLockedError extends AdminAuthLocked {
  constructor (waitMs: number, fields: Record<string, string>) {
    const seconds = Math.ceil(waitMs / 1000)
    super(seconds)
    this.headers = { ...retryAfter(seconds), ...fields }
  }
}
export const UnknownProxyError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_PROXY', 'no lab proxy %s (known: %s)', 404)
export const UnknownInstanceError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_INSTANCE', 'no instance %s (known: %s)', 404)
export const ToxiproxyUnavailableError = declareError<[reason: string]>('GATEWAY_ADMIN_TOXIPROXY_UNAVAILABLE', 'Toxiproxy did not answer: %s', 503, { expose: true })
export const AdminTargetUnavailableError = declareError<[instance: string, reason: string]>('GATEWAY_ADMIN_TARGET_UNAVAILABLE', '%s did not answer its admin route: %s', 503, { expose: true })
export const AdminRouteNotFoundError = createError<[string]>('GATEWAY_ADMIN_ROUTE_NOT_FOUND', 'no admin route %s', 404)
export const UnknownServiceError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_SERVICE', 'no service %s with admin routes (known: %s)', 404)
export const UnknownSwitchError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_SWITCH', 'unknown switch %s (known: %s)', 400)
