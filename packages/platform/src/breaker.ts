import CircuitBreaker from 'opossum'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'

/** The three states, as exported in `circuit_breaker_state` (0, 1, 2) and in `to` of the transitions. */
export type BreakerState = 'closed' | 'half_open' | 'open'
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 }

/**
 * One metric family for every breaker of the lab, told apart by `breaker` (e.g. `catalog` for the
 * gateway's upstream, `redis` for a Redis client), so one dashboard panel and one alert rule cover
 * them all. Create it once per registry and hand it to each breaker.
 */
export function createBreakerMetrics (registry: Registry) {
  const registers = [registry]
  return {
    state: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers
    }),
    transitions: new Counter({
      name: 'circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes, by the state entered (open, half_open, closed)',
      labelNames: ['breaker', 'to'] as const,
      registers
    }),
    rejected: new Counter({
      name: 'circuit_breaker_rejected_total',
      help: 'Calls the circuit breaker refused without trying them (open, or half-open with its probe under way)',
      labelNames: ['breaker'] as const,
      registers
    })
  }
}

export type BreakerMetrics = ReturnType<typeof createBreakerMetrics>

/** How a breaker decides; the rolling statistics window is fixed at 10 s in 10 buckets. */
export interface BreakerSettings {
  /** A call slower than this fails (and counts against the breaker); `false` leaves timing to the call. */
  timeoutMs: number | false
  /** Open when *more than* this share of the window's calls failed (percent) ... */
  errorThresholdPercentage: number
  /** ... once the window holds at least this many calls. */
  volumeThreshold: number
  /** How long to stay open before letting one probe call through (half-open). */
  resetTimeoutMs: number
}

export interface BreakerOptions extends BreakerSettings {
  /** The `breaker` label and the log field: unique per registry (e.g. the upstream's name, or `redis`). */
  name: string
  metrics: BreakerMetrics
  log: FastifyBaseLogger
}

export interface Breaker {
  readonly name: string
  readonly state: BreakerState
  /**
   * Runs one call through the breaker: its result, or its error; a timeout rejects with code
   * `ETIMEDOUT`, and while the breaker is open it rejects at once, without calling, with code
   * `EOPENBREAKER` (see {@link isBreakerOpenError}).
   */
  run: <T>(call: () => Promise<T>) => Promise<T>
  /** Called each time the breaker closes again (the dependency is back). */
  onClose: (listener: () => void) => void
  /** Closed again, as a fresh breaker starts (used when its pattern switch turns it back on: breaker-switch.ts). */
  reset: () => void
  /** Stops the reset timer; every later call rejects (`ESHUTDOWN`). */
  shutdown: () => void
}

/** The window over which a breaker counts calls and failures (10 buckets of a second). */
export const BREAKER_ROLLING_WINDOW_MS = 10_000

/**
 * A circuit breaker (opossum) with the lab's metrics and logs. It wraps any async call: one upstream
 * request, one Redis command. Why: a timeout alone bounds each call, but a dependency that hangs or
 * fails still costs every caller that wait. Once failures pass the threshold the breaker opens and
 * refuses calls at once, so callers fall back (503, or fail open) at full speed and the dependency gets
 * room to recover. After `resetTimeoutMs` one call goes through as a probe (half-open; calls arriving
 * meanwhile are still refused): success closes the breaker, failure opens it for another reset timeout.
 *
 * opossum caveat: it counts the calls it *refused* among the window's calls (its `fires`), but not
 * among its failures, and opens on `failures / fires`. So for a few seconds after a recovery, while
 * the 10 s window still holds the refusals, it takes more failures to open again.
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 * @see https://nodeshift.dev/opossum/
 */
export function createBreaker (opts: BreakerOptions): Breaker {
  const { name, metrics, log } = opts
  const breaker = new CircuitBreaker(async (call: () => Promise<unknown>) => await call(), {
    name,
    timeout: opts.timeoutMs,
    errorThresholdPercentage: opts.errorThresholdPercentage,
    volumeThreshold: opts.volumeThreshold,
    resetTimeout: opts.resetTimeoutMs,
    rollingCountTimeout: BREAKER_ROLLING_WINDOW_MS,
    rollingCountBuckets: 10
  })

  const enter = (to: BreakerState) => () => {
    metrics.state.set({ breaker: name }, STATE_VALUE[to])
    metrics.transitions.inc({ breaker: name, to })
    // Opening is what an operator must notice; probing and closing are the way back.
    log[to === 'open' ? 'warn' : 'info']({ breaker: name, state: to }, 'circuit breaker state changed')
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  metrics.state.set({ breaker: name }, STATE_VALUE.closed)
  for (const to of Object.keys(STATE_VALUE)) metrics.transitions.inc({ breaker: name, to }, 0)
  metrics.rejected.inc({ breaker: name }, 0)
  breaker.on('open', enter('open'))
  breaker.on('halfOpen', enter('half_open'))
  breaker.on('close', enter('closed'))
  breaker.on('reject', () => { metrics.rejected.inc({ breaker: name }) })

  return {
    name,
    get state () { return breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed' },
    run: async <T>(call: () => Promise<T>) => await (breaker.fire(call) as Promise<T>),
    onClose: (listener) => { breaker.on('close', listener) },
    reset: () => { breaker.close() },
    shutdown: () => { breaker.shutdown() }
  }
}

/** True for the breaker's own "I am open" refusal, as opposed to a failure of the call itself. */
export function isBreakerOpenError (err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: string }).code === 'EOPENBREAKER'
}
