/**
 * A retry budget: retries are allowed only while they stay under a share of the recent requests, plus a
 * small floor so low traffic can still retry. Bounded attempts and backoff cap what one call can cost;
 * only a budget caps what the retries of all calls add together when a dependency is failing for
 * everyone (each original request earns `ratio` of a retry; past that, a failed call just fails).
 * @see https://twitter.github.io/finagle/guide/Clients.html#retries (Finagle's RetryBudget)
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto (Envoy retry budgets)
 */
export interface RetryBudget {
  /** An original request (not a retry) went out: it earns the budget `ratio` of a retry. */
  recordRequest: () => void
  /** Asks for one retry: true, and spent, while the retries in the window stay under the allowance; false, nothing spent. */
  tryRetry: () => boolean
  /** The requests and retries inside the window now, and the retries allowed: ratio × requests + minimum. */
  usage: () => { requests: number, retries: number, allowed: number }
}

export interface RetryBudgetOptions {
  /** Retries allowed per request in the window: 0.1 = at most 10% more load. */
  ratio: number
  /** Retries allowed per second whatever the traffic, so a lone failing request can still retry. */
  minRetriesPerSecond: number
  /** The sliding window requests and retries are counted over. */
  windowMs: number
  /** Milliseconds, increasing; injected by tests. */
  now?: () => number
}

export function createRetryBudget ({ ratio, minRetriesPerSecond, windowMs, now = () => performance.now() }: RetryBudgetOptions): RetryBudget {
  if (!(ratio >= 0) || !(minRetriesPerSecond >= 0) || !(windowMs > 0)) throw new Error('retry budget: ratio and minimum must be ≥ 0, the window > 0')
  // Timestamps in arrival order: the oldest leave the window first. At most (rate × window) entries each.
  const requests: number[] = []
  const retries: number[] = []
  const minimum = (minRetriesPerSecond * windowMs) / 1000

  const slide = (at: number) => {
    const oldest = at - windowMs
    while (requests.length > 0 && requests[0]! <= oldest) requests.shift()
    while (retries.length > 0 && retries[0]! <= oldest) retries.shift()
  }
  const usage = () => {
    slide(now())
    return { requests: requests.length, retries: retries.length, allowed: ratio * requests.length + minimum }
  }

  return {
    recordRequest: () => { requests.push(now()) },
    tryRetry: () => {
      const { retries: spent, allowed } = usage()
      if (spent + 1 > allowed) return false
      retries.push(now())
      return true
    },
    usage
  }
}
