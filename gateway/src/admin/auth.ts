import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AdminCredentialMissingError, AdminCredentialWrongError } from './errors.js'

const BEARER = /^Bearer ([^\s]+)$/i

/** Compared as hashes: equal lengths for timingSafeEqual, and no early exit that leaks the token's length. */
const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * The admin API's door: no bearer credential is a 401 (with `WWW-Authenticate`, RFC 6750 §3), a wrong
 * one a 403. Until the auth service (a later issue) issues JWTs with an admin role, the credential is
 * the one token the lab configures (ADMIN_TOKEN, set in infra/topology.ts).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function requireAdminToken (token: string) {
  const expected = digest(token)
  return async (request: FastifyRequest): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '')
    if (match?.[1] === undefined) {
      throw new AdminCredentialMissingError()
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      throw new AdminCredentialWrongError()
    }
  }
}
