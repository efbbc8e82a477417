import { isBreakerOpenError, REQUEST_ID_HEADER, type Breaker } from '@lab/platform'
import type { MessagingLogger } from '@lab/messaging'
import { fullJitterDelayMs, sleep, type BackoffPolicy } from '../backoff.js'
import type { PaymentsMetrics } from '../metrics.js'

export interface ChargeRequest {
  /** The payment id: the provider is idempotent on it, so every retry names the same charge. */
  chargeId: string
  amountCents: number
  callbackUrl: string
  /** Sent as x-request-id; the provider hands it back on its callback, so logs join up. */
  requestId?: string
}

export type ChargeOutcome =
  /** The provider took the charge (202); its decision comes later, by signed callback. */
  | { outcome: 'accepted', attempts: number }
  /** The provider answered 4xx: asking again cannot help. */
  | { outcome: 'rejected', attempts: number, statusCode: number }
  /** Breaker open (no call made), or every attempt failed: fail the payment now rather than wait. */
  | { outcome: 'unavailable', attempts: number, cause: 'breaker_open' | 'retries_exhausted', lastError: string }

export interface ProviderClientOptions {
  baseUrl: string
  /** One call slower than this is abandoned (the breaker times it out too, and counts it). */
  timeoutMs: number
  /** Calls per charge, the first included. */
  maxAttempts: number
  backoff: BackoffPolicy
  breaker: Breaker
  metrics: Pick<PaymentsMetrics, 'providerCalls' | 'providerRetries' | 'providerRetryDelay' | 'providerChargeDuration'>
  random?: () => number
}

export interface ProviderClient {
  charge: (request: ChargeRequest, log: MessagingLogger) => Promise<ChargeOutcome>
}

/** A 5xx or a network failure: worth another try, and a failure in the breaker's eyes. */
class ProviderCallError extends Error {
  override name = 'ProviderCallError'
}

/**
 * `POST /charges` on the payment provider, through the `provider` circuit breaker, with bounded retries.
 * - Every attempt goes through the breaker, which times it out and counts it; once failures pass its
 *   threshold it opens and refuses calls at once: the first refusal ends the retries (fail fast, the
 *   provider gets room to recover, and the order is failed in milliseconds instead of seconds).
 * - Between attempts: exponential backoff with full jitter, so charges that failed together do not
 *   come back together. At most `maxAttempts` calls per charge, counted in payments_provider_retries_total.
 * - 4xx answers are the provider working as intended: not retried, and not breaker failures.
 * - Retrying is safe because the charge id is the payment id: the provider charges once per id.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function createProviderClient (opts: ProviderClientOptions): ProviderClient {
  const { baseUrl, timeoutMs, maxAttempts, backoff, breaker, metrics } = opts
  const url = new URL('/charges', baseUrl).toString()

  const callOnce = async (request: ChargeRequest): Promise<number> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(request.requestId === undefined ? {} : { [REQUEST_ID_HEADER]: request.requestId }) },
      body: JSON.stringify({ chargeId: request.chargeId, amountCents: request.amountCents, currency: 'EUR', callbackUrl: request.callbackUrl }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    await response.body?.cancel()
    if (response.status >= 500 || response.status === 429) throw new ProviderCallError(`HTTP ${response.status}`)
    return response.status
  }

  return {
    async charge (request, log) {
      const stopTimer = metrics.providerChargeDuration.startTimer()
      const outcome = await chargeWithRetries(request, log)
      stopTimer({ result: outcome.outcome === 'unavailable' ? outcome.cause : outcome.outcome })
      return outcome
    }
  }

  async function chargeWithRetries (request: ChargeRequest, log: MessagingLogger): Promise<ChargeOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const statusCode = await breaker.run(async () => await callOnce(request))
        if (statusCode >= 200 && statusCode < 300) {
          metrics.providerCalls.inc({ result: 'accepted' })
          return { outcome: 'accepted', attempts: attempt }
        }
        metrics.providerCalls.inc({ result: 'rejected' })
        log.warn({ chargeId: request.chargeId, statusCode }, 'provider rejected the charge')
        return { outcome: 'rejected', attempts: attempt, statusCode }
      } catch (err) {
        if (isBreakerOpenError(err)) {
          metrics.providerCalls.inc({ result: 'breaker_open' })
          return { outcome: 'unavailable', attempts: attempt - 1, cause: 'breaker_open', lastError: 'circuit breaker open' }
        }
        metrics.providerCalls.inc({ result: 'error' })
        const lastError = describe(err)
        if (attempt >= maxAttempts) {
          log.warn({ chargeId: request.chargeId, attempts: attempt, lastError }, 'provider call failed; retries exhausted')
          return { outcome: 'unavailable', attempts: attempt, cause: 'retries_exhausted', lastError }
        }
        const delayMs = fullJitterDelayMs(attempt, backoff, opts.random)
        metrics.providerRetries.inc()
        metrics.providerRetryDelay.observe(delayMs / 1000)
        log.info({ chargeId: request.chargeId, attempt, lastError, delayMs }, 'provider call failed; retrying')
        await sleep(delayMs)
      }
    }
  }
}

function describe (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const { code, cause } = err as Error & { code?: string, cause?: { code?: string } }
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT') return 'timeout'
  return cause?.code ?? code ?? err.message
}
