import { Value } from '@sinclair/typebox/value'
import { ReservationSchema, type Reservation, type ReserveBody } from '@lab/contracts'
import { isBreakerOpenError, REQUEST_ID_HEADER, type Breaker, type BreakerMetrics } from '@lab/platform'
import { InventoryBreakerOpenError, InventoryUnavailableError } from './errors.js'

/** Inventory's reservation, as its POST /reservations and release answer it: the contract inventory serves. */
export type { Reservation }

export type ReserveOutcome =
  | { kind: 'reserved', reservation: Reservation }
  | { kind: 'unknown_product' }
  | { kind: 'out_of_stock' }
  /** Inventory's optimistic retries ran out under contention (INVENTORY_CONFLICT). */
  | { kind: 'contended' }
  /** The reservation id is taken by a reservation of another product or quantity (422). */
  | { kind: 'id_taken' }

export interface InventoryClientOptions {
  baseUrl: string
  timeoutMs: number
  /** Its own timeout is the call's; it counts 5xx, timeouts and refused connections as failures. */
  breaker: Breaker
  /** The breaker's metrics, to count the refusals of failFastWhileOpen() with the breaker's own. */
  breakerMetrics: BreakerMetrics
  /** Retry-After (seconds) for callers while the breaker is open: its reset timeout. */
  retryAfterSeconds: number
}

/** A 5xx from inventory: a failure for the breaker, unlike 404 and 409, which are answers. */
class InventoryServerError extends Error {
  constructor (readonly statusCode: number) { super(`inventory answered ${statusCode}`) }
}

/**
 * Inventory's final word on a release: a 4xx other than 404 (e.g. 409 INVENTORY_STOCK_INCONSISTENT,
 * once the naive strategy lost updates and its counters no longer cover the reservation). Asking again
 * gets the same answer, so the caller stops trying (saga/stock-release.ts parks the release).
 */
export class InventoryRefusedReleaseError extends Error {
  constructor (readonly statusCode: number, readonly code: string) { super(`inventory refused a release with ${statusCode} ${code}`) }
}

/**
 * Orders' only synchronous dependency, behind a circuit breaker with a timeout: when inventory hangs or
 * fails, placing an order costs at most the timeout, and once the breaker opens, nothing at all (a 503
 * with Retry-After at once), while inventory gets room to recover.
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 */
export class InventoryClient {
  constructor (private readonly opts: InventoryClientOptions) {}

  /**
   * Throws the breaker's 503 at once while it is open, before the caller does any work of its own
   * (claiming an Idempotency-Key, taking a database connection): while inventory is down, placing an
   * order costs orders' database nothing. Counted in circuit_breaker_rejected_total like the breaker's
   * own refusals.
   */
  failFastWhileOpen (): void {
    if (this.opts.breaker.state !== 'open') return
    this.opts.breakerMetrics.rejected.inc({ breaker: this.opts.breaker.name })
    throw new InventoryBreakerOpenError(this.opts.retryAfterSeconds)
  }

  /** Reserves stock; idempotent on reservationId (the order id), so a retry returns the same reservation. */
  async reserve (req: ReserveBody, requestId: string): Promise<ReserveOutcome> {
    const { statusCode, body } = await this.call('POST', '/reservations', requestId, req)
    if (statusCode === 200 || statusCode === 201) return { kind: 'reserved', reservation: parseReservation(body) }
    const code = (body as { code?: unknown } | undefined)?.code
    if (statusCode === 404) return { kind: 'unknown_product' }
    if (statusCode === 409 && code === 'INVENTORY_OUT_OF_STOCK') return { kind: 'out_of_stock' }
    if (statusCode === 409) return { kind: 'contended' }
    if (statusCode === 422 && code === 'INVENTORY_RESERVATION_ID_REUSED') return { kind: 'id_taken' }
    throw new Error(`inventory rejected a reservation with ${statusCode} ${String(code)}`)
  }

  /**
   * Gives the stock back; idempotent. null when inventory never heard of the reservation; an
   * InventoryRefusedReleaseError for a refusal that asking again will not change.
   */
  async release (reservationId: string, requestId: string): Promise<Reservation | null> {
    const { statusCode, body } = await this.call('POST', `/reservations/${encodeURIComponent(reservationId)}/release`, requestId)
    if (statusCode === 200) return parseReservation(body)
    if (statusCode === 404) return null
    // 408 and 429 say "try again later": not a final word.
    if (statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429) {
      throw new InventoryRefusedReleaseError(statusCode, String((body as { code?: unknown } | undefined)?.code))
    }
    throw new Error(`inventory rejected a release with ${statusCode}`)
  }

  /** One HTTP call through the breaker: its status and JSON body, or an InventoryUnavailableError (503). */
  private async call (method: string, path: string, requestId: string, payload?: unknown): Promise<{ statusCode: number, body: unknown }> {
    // Aborted when the call fails as a whole (the breaker's timeout), so a late answer is dropped.
    const abort = new AbortController()
    try {
      return await this.opts.breaker.run(async () => {
        const res = await fetch(new URL(path, this.opts.baseUrl), {
          method,
          headers: { [REQUEST_ID_HEADER]: requestId, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
          body: payload === undefined ? undefined : JSON.stringify(payload),
          signal: abort.signal
        })
        if (res.status >= 500) {
          await res.body?.cancel()
          throw new InventoryServerError(res.status)
        }
        return { statusCode: res.status, body: await res.json().catch(() => undefined) }
      })
    } catch (err) {
      abort.abort()
      if (isBreakerOpenError(err)) throw new InventoryBreakerOpenError(this.opts.retryAfterSeconds)
      const code = (err as { code?: string }).code
      const reason = code === 'ETIMEDOUT'
        ? `no answer within ${this.opts.timeoutMs} ms`
        : err instanceof InventoryServerError ? err.message : 'connection failed'
      throw new InventoryUnavailableError(reason, { cause: err })
    }
  }
}

function parseReservation (body: unknown): Reservation {
  if (!Value.Check(ReservationSchema, body)) throw new Error('inventory answered a reservation of an unexpected shape')
  return body
}
