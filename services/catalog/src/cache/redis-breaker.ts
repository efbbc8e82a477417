import CircuitBreaker from 'opossum'
import type { FastifyBaseLogger } from 'fastify'
import type { CacheMetrics } from '../metrics.js'

export interface RedisBreakerOptions {
  /** A call slower than this counts as a failure (the Redis client has its own command timeout too). */
  timeoutMs: number
  errorThresholdPercentage: number
  volumeThreshold: number
  resetTimeoutMs: number
  metrics: Pick<CacheMetrics, 'breakerState' | 'breakerTransitions'>
  log: FastifyBaseLogger
}

export interface RedisBreaker {
  /** Runs one Redis call through the breaker; rejects at once (EOPENBREAKER) while the breaker is open. */
  run: <T>(call: () => Promise<T>) => Promise<T>
  /** Called when the breaker closes again (Redis is back). */
  onClose: (listener: () => void) => void
  shutdown: () => void
}

const STATE = { closed: 0, half_open: 1, open: 2 } as const

/**
 * One circuit breaker in front of every Redis call of the cache.
 *
 * Why: the Redis client already fails fast when the connection is down, but a *slow* Redis (or one that
 * accepts connections and never answers) would make every request wait for the command timeout before
 * falling back to Postgres. Once failures pass the threshold the breaker opens and calls are refused
 * without touching Redis, so requests go straight to Postgres (`x-cache: bypass`) at full speed. After
 * `resetTimeoutMs` one call is let through (half-open); if it succeeds the breaker closes and the cache
 * serves hits again. Note: opossum counts calls it refused while open among the window's calls (10 s),
 * so for a few seconds after a recovery it takes more failures to open again.
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 * @see https://nodeshift.dev/opossum/
 */
export function createRedisBreaker (opts: RedisBreakerOptions): RedisBreaker {
  const breaker = new CircuitBreaker(async (call: () => Promise<unknown>) => await call(), {
    name: 'redis',
    timeout: opts.timeoutMs,
    errorThresholdPercentage: opts.errorThresholdPercentage,
    volumeThreshold: opts.volumeThreshold,
    resetTimeout: opts.resetTimeoutMs,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10
  })

  const enter = (state: keyof typeof STATE) => () => {
    opts.metrics.breakerState.set(STATE[state])
    opts.metrics.breakerTransitions.inc({ state })
    opts.log[state === 'open' ? 'warn' : 'info']({ breaker: 'redis', state }, 'cache breaker state changed')
  }
  opts.metrics.breakerState.set(STATE.closed)
  breaker.on('open', enter('open'))
  breaker.on('halfOpen', enter('half_open'))
  breaker.on('close', enter('closed'))

  return {
    run: async <T>(call: () => Promise<T>) => await (breaker.fire(call) as Promise<T>),
    onClose: (listener) => { breaker.on('close', listener) },
    shutdown: () => { breaker.shutdown() }
  }
}

/** True for the breaker's own "I am open" refusal, as opposed to a real Redis failure. */
export function isBreakerOpenError (err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: string }).code === 'EOPENBREAKER'
}
