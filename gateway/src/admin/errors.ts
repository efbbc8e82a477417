import createError from '@fastify/error'

export const AdminCredentialMissingError = createError('GATEWAY_ADMIN_CREDENTIAL_MISSING', 'the admin API needs the lab admin credential: Authorization: Bearer <token>', 401)
export const AdminCredentialWrongError = createError('GATEWAY_ADMIN_CREDENTIAL_WRONG', 'this credential is not the lab admin credential', 403)
export const UnknownProxyError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_PROXY', 'no lab proxy %s (known: %s)', 404)
export const UnknownInstanceError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_INSTANCE', 'no instance %s (known: %s)', 404)
export const ToxiproxyUnavailableError = createError<[string]>('GATEWAY_ADMIN_TOXIPROXY_UNAVAILABLE', 'Toxiproxy did not answer: %s', 503)
export const AdminTargetUnavailableError = createError<[string, string]>('GATEWAY_ADMIN_TARGET_UNAVAILABLE', '%s did not answer its admin route: %s', 503)
export const AdminRouteNotFoundError = createError<[string]>('GATEWAY_ADMIN_ROUTE_NOT_FOUND', 'no admin route %s', 404)
export const UnknownServiceError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_SERVICE', 'no service %s with admin routes (known: %s)', 404)
export const UnknownSwitchError = createError<[string, string]>('GATEWAY_ADMIN_UNKNOWN_SWITCH', 'unknown switch %s (known: %s)', 400)
