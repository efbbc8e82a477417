import { setTimeout as sleep } from 'node:timers/promises'
import { backoffDelayMs, isBreakerOpenError, REQUEST_ID_HEADER, type BackoffCeiling, type Breaker, type RetryBudget } from '@lab/platform'
import type { MessagingLogger } from '@lab/messaging'
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
  /** Breaker open (no call made), or every attempt answered 5xx / was never sent: fail the payment now rather than wait. */
  | { outcome: 'unavailable', attempts: number, cause: 'breaker_open' | 'retries_exhausted', lastError: string }
  /**
   * At least one attempt may have reached the provider without an answer (timeout, connection broken
   * after sending), and none answered for sure: the provider may hold the charge. Not a failure: the
   * payment stays pending until the callback or the reconciler (GET /charges/:chargeId) settles it.
   */
  | { outcome: 'unknown', attempts: number, lastError: string }

/**
 * What GET /charges/:chargeId told us; `unreachable`: no answer (breaker open, timeout, network, 5xx).
 * A decided charge carries the amount the provider holds, so a callback can be matched to our charge.
 */
export type ChargeLookup =
  | { state: 'succeeded', amountCents: number }
  | { state: 'failed', reason: string, amountCents: number }
  | { state: 'pending' }
  | { state: 'not_found' }
  | { state: 'unreachable', error: string }

export interface ProviderClientOptions {
  baseUrl: string
  /** One call slower than this is abandoned (the breaker times it out too, and counts it). */
  timeoutMs: number
  /** Calls per charge, the first included. */
  maxAttempts: number
  /**
   * The wait before each retry, asked for before each retry (so a switch flipped at run time applies to
   * the next one): the pattern is jitteredRetryDelay; `retry-backoff` off, retryAtOnce (provider-client-naive.ts).
   */
  retryDelay: () => RetryDelay
  /**
   * The retry budget, asked for at each charge and each retry: every charge earns it a share of a retry;
   * a retry it refuses is not made (the charge fails with its last error). `retry-budget` off,
   * withoutRetryBudget (provider-client-naive.ts). None: every retry is made.
   */
  retryBudget?: () => RetryBudget
  breaker: Breaker
  metrics: Pick<PaymentsMetrics, 'providerCalls' | 'providerRetries' | 'providerRetryDelay' | 'providerChargeDuration'>
}

/** The wait before retry number `attempt` (1: after the first call failed), in whole milliseconds. */
export type RetryDelay = (attempt: number) => number

/** Exponential backoff with full jitter under `ceiling`: charges that failed together do not come back together. */
export function jitteredRetryDelay (ceiling: BackoffCeiling, random?: () => number): RetryDelay {
  const policy = { ...ceiling, jitter: 'full', round: true } as const
  return (attempt) => backoffDelayMs(attempt, policy, random)
}

export interface ProviderClient {
  charge: (request: ChargeRequest, log: MessagingLogger) => Promise<ChargeOutcome>
  /** One GET /charges/:chargeId through the same breaker and timeout; no retries (the reconciler comes back). */
  lookup: (chargeId: string) => Promise<ChargeLookup>
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
 * - With the `retry-backoff` switch off the retries go out at once (no delay, retryAtOnce): the naive
 *   policy that experiment 9 (retry storm) contrasts with this one.
 * - A retry budget (switch `retry-budget`) caps the retries of all charges together at a share of the
 *   recent charges: backoff spreads the added load, the budget lowers it. A refused retry ends the
 *   charge as if its attempts were exhausted (unknown if an attempt may have reached the provider).
 * - Retrying is safe because the charge id is the payment id: the provider charges once per id.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function createProviderClient (opts: ProviderClientOptions): ProviderClient {
  const { baseUrl, timeoutMs, maxAttempts, breaker, metrics } = opts
  const url = new URL('/charges', baseUrl).toString()

  return {
    async charge (request, log) {
      const stopTimer = metrics.providerChargeDuration.startTimer()
      opts.retryBudget?.().recordRequest()
      const outcome = await chargeWithRetries(request, log)
      stopTimer({ result: outcome.outcome === 'unavailable' ? outcome.cause : outcome.outcome })
      return outcome
    },
    lookup: async (chargeId) => await lookupCharge(opts, chargeId)
  }

  async function chargeWithRetries (request: ChargeRequest, log: MessagingLogger): Promise<ChargeOutcome> {
    /** Set once an attempt may have reached the provider unanswered: from then on, no answer means "unknown", never "failed". */
    let mayHaveReached = false
    for (let attempt = 1; ; attempt++) {
      try {
        const statusCode = await breaker.run(async () => await postCharge(url, request, timeoutMs))
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
          if (mayHaveReached) return { outcome: 'unknown', attempts: attempt - 1, lastError: 'circuit breaker open after an unanswered attempt' }
          return { outcome: 'unavailable', attempts: attempt - 1, cause: 'breaker_open', lastError: 'circuit breaker open' }
        }
        metrics.providerCalls.inc({ result: 'error' })
        const lastError = describe(err)
        if (outcomeUnknown(err)) mayHaveReached = true
        const budgetDenied = attempt < maxAttempts && !retryAllowed(opts.retryBudget)
        if (attempt >= maxAttempts || budgetDenied) {
          if (budgetDenied) metrics.providerRetries.inc({ outcome: 'denied_budget' })
          log.warn({ chargeId: request.chargeId, attempts: attempt, lastError, mayHaveReached, budgetDenied }, 'provider call failed; retries exhausted')
          if (mayHaveReached) return { outcome: 'unknown', attempts: attempt, lastError }
          return { outcome: 'unavailable', attempts: attempt, cause: 'retries_exhausted', lastError }
        }
        const delayMs = opts.retryDelay()(attempt)
        metrics.providerRetries.inc({ outcome: 'allowed' })
        metrics.providerRetryDelay.observe(delayMs / 1000)
        log.info({ chargeId: request.chargeId, attempt, lastError, delayMs }, 'provider call failed; retrying')
        if (delayMs > 0) await sleep(delayMs)
      }
    }
  }
}

/** One POST /charges, no retry: the status of a 2xx or 4xx answer; a 5xx or 429 throws (worth another try). */
async function postCharge (url: string, request: ChargeRequest, timeoutMs: number): Promise<number> {
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

/** One GET /charges/:chargeId through the breaker, no retry; any failure to answer is `unreachable`. */
async function lookupCharge ({ baseUrl, timeoutMs, breaker }: ProviderClientOptions, chargeId: string): Promise<ChargeLookup> {
  try {
    return await breaker.run(async () => await getCharge(baseUrl, chargeId, timeoutMs))
  } catch (err) {
    return { state: 'unreachable', error: isBreakerOpenError(err) ? 'circuit breaker open' : describe(err) }
  }
}

async function getCharge (baseUrl: string, chargeId: string, timeoutMs: number): Promise<ChargeLookup> {
  const response = await fetch(new URL(`/charges/${encodeURIComponent(chargeId)}`, baseUrl), { signal: AbortSignal.timeout(timeoutMs) })
  if (response.status === 404) {
    await response.body?.cancel()
    return { state: 'not_found' }
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new ProviderCallError(`HTTP ${response.status}`)
  }
  const body = await response.json() as { status?: string, reason?: string, amountCents?: unknown }
  if ((body.status === 'succeeded' || body.status === 'failed') && !Number.isSafeInteger(body.amountCents)) throw new ProviderCallError('decided charge without an amount')
  const amountCents = body.amountCents as number
  if (body.status === 'succeeded') return { state: 'succeeded', amountCents }
  if (body.status === 'failed') return { state: 'failed', reason: body.reason ?? 'card_declined', amountCents }
  if (body.status === 'pending') return { state: 'pending' }
  throw new ProviderCallError(`unexpected charge status ${String(body.status)}`)
}

/** Whether the retry budget (if any) allows one more retry now. */
function retryAllowed (retryBudget: ProviderClientOptions['retryBudget']): boolean {
  return retryBudget?.().tryRetry() ?? true
}

/** Errors raised before the request could leave this process: the provider cannot have seen it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ESHUTDOWN'])

/**
 * Did the call fail without telling us what the provider did? A 5xx/429 answer (ProviderCallError)
 * is the provider saying no; a refused connection never reached it. A timeout, or a connection broken
 * after the request was written, may have left a charge behind.
 */
function outcomeUnknown (err: unknown): boolean {
  if (err instanceof ProviderCallError || !(err instanceof Error)) return false
  const { code, cause } = err as Error & { code?: string, cause?: { code?: string } }
  return !NOT_SENT_CODES.has(cause?.code ?? code ?? '')
}

function describe (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const { code, cause } = err as Error & { code?: string, cause?: { code?: string } }
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT') return 'timeout'
  return cause?.code ?? code ?? err.message
}
