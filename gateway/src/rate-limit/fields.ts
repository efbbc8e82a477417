import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitAlgorithm, RateLimitPolicy } from './policy.js'

/**
 * The rate-limit fields of the current IETF httpapi draft: `RateLimit-Policy` (the quota a route
 * allows) and `RateLimit` (what is left of it now), each a Structured Field List of one Item whose
 * value is a String naming the policy, with Integer parameters:
 *
 *     RateLimit-Policy: "token-bucket";q=100;w=60     (quota q per window w seconds)
 *     RateLimit: "token-bucket";r=50;t=30             (r left; t seconds of effective window)
 *
 * The policy's name is its algorithm. `w` must be a non-zero whole number of seconds (draft §3.1.3,
 * no sub-second precision), so it is left out (it is OPTIONAL) for a window that is not one.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-11 (§3, §4)
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1 (serialising Lists, Items, Strings)
 */
export const RATE_LIMIT_POLICY_FIELD = 'ratelimit-policy'
export const RATE_LIMIT_FIELD = 'ratelimit'

/** The older draft's fields (up to -06), which @fastify/rate-limit still writes with `enableDraftSpec`. */
const OLD_LIMIT = 'ratelimit-limit'
const OLD_REMAINING = 'ratelimit-remaining'
const OLD_RESET = 'ratelimit-reset'

/** An sf-string: printable ASCII in quotes, with `"` and `\` escaped (RFC 9651 §4.1.6). */
export function serializeSfString (value: string): string {
  if (!/^[\x20-\x7E]*$/.test(value)) throw new Error(`not an sf-string: ${JSON.stringify(value)}`)
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

export function rateLimitPolicyField (name: string, policy: Pick<RateLimitPolicy, 'max' | 'windowMs'>): string {
  const window = policy.windowMs % 1000 === 0 ? `;w=${policy.windowMs / 1000}` : ''
  return `${serializeSfString(name)};q=${policy.max}${window}`
}

export function rateLimitField (name: string, remaining: number, resetSeconds: number): string {
  return `${serializeSfString(name)};r=${remaining};t=${resetSeconds}`
}

/** What the route's own `config.rateLimit` holds once plugin.ts translated its `rateLimitPolicy`. */
interface RouteRateLimit { algorithm?: RateLimitAlgorithm, timeWindow?: number }

/**
 * An onSend hook that rewrites what @fastify/rate-limit decided (its `RateLimit-Limit`, `-Remaining`
 * and `-Reset`, set on allowed answers and on 429s alike) into the draft's two fields, and drops the
 * older three: nothing in the lab reads them any more, they were never registered, and two sets of
 * fields on every answer could only disagree. `Retry-After` on a 429 is left as the plugin set it.
 * An answer without the plugin's fields (an exempt route, health, metrics) is left alone.
 */
export function draftRateLimitFields (defaultPolicy: RateLimitPolicy) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const [limit, remaining, reset] = [OLD_LIMIT, OLD_REMAINING, OLD_RESET].map((field) => reply.getHeader(field))
    if (limit === undefined || remaining === undefined || reset === undefined) return payload
    const own = (request.routeOptions.config as { rateLimit?: RouteRateLimit | false }).rateLimit
    const route = own === false || own === undefined ? {} : own
    const name = route.algorithm ?? defaultPolicy.algorithm
    // The max the plugin applied (its RateLimit-Limit); the window is the route's or the default one.
    const policy = { max: Number(limit), windowMs: route.timeWindow ?? defaultPolicy.windowMs }
    reply.removeHeader(OLD_LIMIT)
    reply.removeHeader(OLD_REMAINING)
    reply.removeHeader(OLD_RESET)
    appendListMember(reply, RATE_LIMIT_POLICY_FIELD, rateLimitPolicyField(name, policy))
    appendListMember(reply, RATE_LIMIT_FIELD, rateLimitField(name, Number(remaining), Number(reset)))
    return payload
  }
}

/**
 * Both fields are Lists: an answer already naming another policy (the admin API's lockout after wrong
 * credentials, admin/auth-failures.ts) keeps it first and gets this one after it (draft §2, §3).
 */
function appendListMember (reply: FastifyReply, field: string, member: string): void {
  const existing = reply.getHeader(field)
  reply.header(field, existing === undefined ? member : `${String(existing)}, ${member}`)
}
