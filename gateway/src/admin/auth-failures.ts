import { isIPv6 } from 'node:net'
import { rateLimitField, rateLimitPolicyField } from '../rate-limit/fields.js'

export interface AuthFailureBudget {
  /** Wrong credentials an address may send per window; the next request is refused until it ends. */
  max: number
  windowMs: number
}

/** The name of the policy in the draft's RateLimit-Policy and RateLimit fields. */
export const AUTH_FAILURES_POLICY = 'admin-auth-failures'

interface Window { failures: number, endsAt: number }

/**
 * Wrong admin credentials per client address, in a fixed window that starts at the first one. Past
 * `max`, the address is refused (429) until the window ends, **the right credential included**:
 * answering the right one while refusing the wrong ones would tell a guesser which guess was right, and
 * the lockout would limit nothing. It costs the lab's own tools nothing in normal use: they send the
 * configured credential and never a wrong one, and a typo locks out for one window at most, with
 * Retry-After saying how long.
 *
 * Counted in this process, not in Redis, on purpose: the check and the count happen in one synchronous
 * step, so a burst of concurrent guesses cannot all pass before the first is counted (a Redis round
 * trip would leave that gap), and it keeps working, neither open nor closed, while Redis is down (the
 * request budget, in Redis, fails open with every other route). The price: each gateway instance keeps
 * its own count, so N instances allow N × `max` guesses per window, and a restart forgets them.
 * Bounded memory: at most `capacity` addresses, the oldest dropped first when expired ones do not suffice.
 * @see https://owasp.org/www-community/controls/Blocking_Brute_Force_Attacks
 */
export class AuthFailureWindows {
  private readonly windows = new Map<string, Window>()

  constructor (readonly budget: AuthFailureBudget, private readonly now: () => number = Date.now, private readonly capacity = 10_000) {}

  /** Milliseconds until `address` may try again; 0 when it may now. */
  lockedFor (address: string): number {
    const window = this.current(address)
    return window !== undefined && window.failures >= this.budget.max ? window.endsAt - this.now() : 0
  }

  /** Counts a wrong credential from `address`. */
  record (address: string): void {
    const window = this.current(address)
    if (window !== undefined) {
      window.failures++
      return
    }
    if (this.windows.size >= this.capacity) this.makeRoom()
    this.windows.set(address, { failures: 1, endsAt: this.now() + this.budget.windowMs })
  }

  /** The draft's fields for a refused address: the policy, and nothing left for `waitMs`. */
  fields (waitMs: number): Record<string, string> {
    return {
      'ratelimit-policy': rateLimitPolicyField(AUTH_FAILURES_POLICY, this.budget),
      ratelimit: rateLimitField(AUTH_FAILURES_POLICY, 0, Math.ceil(waitMs / 1000))
    }
  }

  private current (address: string): Window | undefined {
    const window = this.windows.get(address)
    if (window === undefined || window.endsAt > this.now()) return window
    this.windows.delete(address)
    return undefined
  }

  private makeRoom (): void {
    const now = this.now()
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address)
    // Insertion order: the first key is the oldest window.
    const oldest = this.windows.keys().next()
    if (this.windows.size >= this.capacity && oldest.done !== true) this.windows.delete(oldest.value)
  }
}

/**
 * Whom a count belongs to: the IPv4 address, or the /64 of an IPv6 one (one host usually holds a whole
 * /64, as @fastify/rate-limit groups them), so a guesser cannot get a fresh budget per address it owns.
 */
export function clientAddress (ip: string): string {
  if (!isIPv6(ip) || ip.includes('.')) return ip
  const [head = '', tail = ''] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`
}
