import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clientAddress, type AuthFailureWindows } from './auth-failures.js'
import { AdminAuthLockedError, AdminCredentialMissingError, AdminCredentialWrongError } from './errors.js'

const BEARER = /^Bearer ([^\s]+)$/i

/** Compared as hashes: equal lengths for timingSafeEqual, and no early exit that leaks the token's length. */
const digest = (value: string) => createHash('sha256').update(value).digest()

export interface AdminDoorOptions {
  token: string
  /** Wrong credentials per address (auth-failures.ts). */
  failures: AuthFailureWindows
  /** Whether wrong credentials lock an address out: the `rate-limit` switch. */
  guarding: () => boolean
  /** Counts every wrong credential, guarded or not. */
  onWrongCredential: () => void
}

/**
 * The admin API's door: no bearer credential is a 401 (with `WWW-Authenticate`, RFC 6750 §3), a wrong
 * one a 403, and an address past its budget of wrong ones a 429 until its window ends, whatever it
 * sends. A missing credential is no guess and is not counted. Until the auth service (a later issue)
 * issues JWTs with an admin role, the credential is the one token the lab configures (ADMIN_TOKEN, set
 * in infra/topology.ts).
 *
 * A preParsing hook, not onRequest: @fastify/rate-limit counts a request in a route-level onRequest
 * hook, which runs after the instance's own; the door must come after it so that refused guesses spend
 * the request budget too. Still before the body is read: no unauthenticated body is ever parsed.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function adminDoor ({ token, failures, guarding, onWrongCredential }: AdminDoorOptions) {
  const expected = digest(token)
  return async (request: FastifyRequest, _reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const address = clientAddress(request.ip)
    const guarded = guarding()
    const waitMs = guarded ? failures.lockedFor(address) : 0
    if (waitMs > 0) throw new AdminAuthLockedError(waitMs, failures.fields(waitMs))
    const match = BEARER.exec(request.headers.authorization ?? '')
    if (match?.[1] === undefined) {
      throw new AdminCredentialMissingError()
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      onWrongCredential()
      if (guarded) failures.record(address)
      throw new AdminCredentialWrongError()
    }
    return payload
  }
}
