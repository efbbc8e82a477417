import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Webhook signatures as real payment providers make them (Stripe's `t=…,v1=…` scheme, simplified to
 * two headers): HMAC-SHA256 with a shared secret over `${timestamp}.${rawBody}`.
 * - Signing the timestamp with the body lets the receiver refuse old deliveries (replays): a captured
 *   callback stops verifying once it is older than the tolerance.
 * - Verify over the RAW body bytes, before any JSON parsing: re-serialising a parsed body can change
 *   whitespace or key order and break (or worse, fake) the match.
 * - Compare in constant time (timingSafeEqual), so response times do not leak how much of a guess matched.
 * @see https://docs.stripe.com/webhooks#verify-manually
 * @see https://datatracker.ietf.org/doc/html/rfc2104 (HMAC)
 */

/** Unix seconds at which the sender signed, as a decimal string. */
export const TIMESTAMP_HEADER = 'x-provider-timestamp'
/** `sha256=<64 lowercase hex digits>`. */
export const SIGNATURE_HEADER = 'x-provider-signature'
/** How far (either way) the signed timestamp may be from the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300

const SCHEME = 'sha256='
const TIMESTAMP_FORMAT = /^[0-9]{1,12}$/
const SIGNATURE_FORMAT = /^sha256=[0-9a-fA-F]{64}$/

/**
 * The signature header value for one delivery: `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`).
 * `timestamp` is unix seconds; pass exactly what goes into the timestamp header.
 */
export function signWebhook (secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  if (secret.length === 0) throw new TypeError('webhook secret must not be empty')
  return SCHEME + digest(secret, String(timestamp), rawBody).toString('hex')
}

export type VerifyFailureReason = 'missing' | 'malformed' | 'stale' | 'mismatch'
export type VerifyWebhookResult = { ok: true } | { ok: false, reason: VerifyFailureReason }

export interface VerifyWebhookOptions {
  secret: string
  /** The timestamp header as received (Node gives `string[]` for a repeated header: malformed). */
  timestamp: string | string[] | undefined
  /** The signature header as received. */
  signature: string | string[] | undefined
  /** The request body exactly as it came off the wire. */
  rawBody: string | Uint8Array
  /** Largest allowed difference between the signed time and `now`, in the past or the future. */
  toleranceSeconds?: number
  /** The receiver's clock in unix SECONDS (default: the current time); for tests. */
  now?: number
}

/**
 * Checks one delivery, cheapest check first: both headers present ('missing'), well-formed
 * ('malformed'), signed within the tolerance ('stale', old or from the future), and the HMAC matches
 * ('mismatch': wrong secret, or body or timestamp tampered with).
 */
export function verifyWebhookSignature (opts: VerifyWebhookOptions): VerifyWebhookResult {
  const { secret, timestamp, signature, rawBody, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = opts
  if (secret.length === 0) throw new TypeError('webhook secret must not be empty')
  if (isAbsent(timestamp) || isAbsent(signature)) return { ok: false, reason: 'missing' }
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'malformed' }
  if (!TIMESTAMP_FORMAT.test(timestamp) || !SIGNATURE_FORMAT.test(signature)) return { ok: false, reason: 'malformed' }

  const now = opts.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale' }

  // Both are 32 bytes here (the format check fixed the hex length), as timingSafeEqual requires.
  const expected = digest(secret, timestamp, rawBody)
  const given = Buffer.from(signature.slice(SCHEME.length), 'hex')
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' }
}

function digest (secret: string, timestamp: string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest()
}

function isAbsent (value: string | string[] | undefined): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}
