import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '@lab/webhook-signature'
import { backoffDelayMs, REQUEST_ID_HEADER, type BackoffPolicy } from '@lab/platform'
import type { ProviderMetrics } from '../metrics.js'
import type { Charge } from '../charges/charge-store.js'
import type { ChargeCallback } from '../schemas/charge.js'

export interface CallbackSenderOptions {
  /** Ceiling of the delay before the first retry; it doubles with each retry ... */
  baseDelayMs: number
  /** ... and no delay exceeds this. */
  maxDelayMs: number
  secret: string
  /** Attempts per callback, the first included. */
  maxAttempts: number
  /** One attempt slower than this fails (and is retried). */
  timeoutMs: number
  metrics: ProviderMetrics
  log: FastifyBaseLogger
  random?: () => number
}

/** Which attempt this is (1, 2, …): lets the receiver's logs show retries. */
export const ATTEMPT_HEADER = 'x-provider-attempt'

/**
 * Delivers a decided charge to its callbackUrl the way real providers do: at least once. An attempt
 * succeeds on any 2xx; anything else (another status, a refused connection, a timeout) is retried with
 * exponential backoff and jitter, up to `maxAttempts`, then given up (the caller can still reconcile
 * with GET /charges/:chargeId). Each attempt is signed afresh with the current time, so a receiver
 * that refuses stale signatures still accepts a late retry. The receiver must therefore be idempotent:
 * a delivery it answered 2xx to too slowly comes again.
 * @see https://docs.stripe.com/webhooks#retries
 */
export class CallbackSender {
  readonly #opts: CallbackSenderOptions
  readonly #backoff: BackoffPolicy
  /** Aborted on close: cancels waits between attempts and attempts under way. */
  readonly #closing = new AbortController()
  readonly #deliveries = new Set<Promise<void>>()

  constructor (opts: CallbackSenderOptions) {
    this.#opts = opts
    // Equal rather than full jitter: the retries of callbacks that failed together (the receiver was
    // down for all of them) spread out, yet every wait still grows and never drops to zero.
    this.#backoff = { baseMs: opts.baseDelayMs, maxMs: opts.maxDelayMs, jitter: 'equal', round: true }
  }

  /** Starts delivering the charge's decision in the background; progress shows in `charge.callback`. */
  send (charge: Charge): void {
    if (this.#closing.signal.aborted) return
    const delivery = this.#deliver(charge).finally(() => { this.#deliveries.delete(delivery) })
    this.#deliveries.add(delivery)
  }

  /** Stops every delivery under way (their charges keep state 'delivering': the process is going away). */
  async close (): Promise<void> {
    this.#closing.abort()
    await Promise.allSettled([...this.#deliveries])
  }

  async #deliver (charge: Charge): Promise<void> {
    const { metrics, log, maxAttempts } = this.#opts
    const body: ChargeCallback = { chargeId: charge.chargeId, status: charge.status === 'failed' ? 'failed' : 'succeeded', ...(charge.reason !== undefined ? { reason: charge.reason } : {}) }
    const rawBody = JSON.stringify(body)
    const logContext = { chargeId: charge.chargeId, status: body.status, reqId: charge.requestId }
    charge.callback.state = 'delivering'
    metrics.callbacksPending.inc()
    try {
      for (let attempt = 1; ; attempt++) {
        charge.callback.attempts = attempt
        const failure = await this.#attempt(charge, rawBody, attempt)
        if (this.#closing.signal.aborted) return
        if (failure === undefined) {
          charge.callback.state = 'delivered'
          metrics.callbacks.inc({ outcome: 'delivered' })
          log.info({ ...logContext, attempt }, 'callback delivered')
          return
        }
        if (attempt >= maxAttempts) {
          charge.callback.state = 'gave_up'
          metrics.callbacks.inc({ outcome: 'gave_up' })
          log.warn({ ...logContext, attempt, failure }, 'callback delivery failed; giving up')
          return
        }
        metrics.callbacks.inc({ outcome: 'retried' })
        const delayMs = backoffDelayMs(attempt, this.#backoff, this.#opts.random)
        log.info({ ...logContext, attempt, failure, delayMs }, 'callback delivery failed; retrying')
        await sleep(delayMs, undefined, { signal: this.#closing.signal })
      }
    } catch (err) {
      // The only expected rejection is the wait cut short by close().
      if (!this.#closing.signal.aborted) log.error({ ...logContext, err }, 'callback delivery crashed')
    } finally {
      metrics.callbacksPending.dec()
    }
  }

  /** One signed POST; resolves to why it failed, or undefined when the receiver answered 2xx. */
  async #attempt (charge: Charge, rawBody: string, attempt: number): Promise<string | undefined> {
    const { secret, timeoutMs, metrics } = this.#opts
    const timestamp = Math.floor(Date.now() / 1000)
    const stopTimer = metrics.callbackAttemptDuration.startTimer()
    try {
      const response = await fetch(charge.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, rawBody),
          [ATTEMPT_HEADER]: String(attempt),
          [REQUEST_ID_HEADER]: charge.requestId
        },
        body: rawBody,
        // A redirect is not a delivery: real providers do not follow them either.
        redirect: 'manual',
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(timeoutMs)])
      })
      await response.body?.cancel()
      return response.ok ? undefined : `HTTP ${response.status}`
    } catch (err) {
      return describeFailure(err)
    } finally {
      stopTimer()
    }
  }
}

function describeFailure (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (err.name === 'TimeoutError') return 'timeout'
  // fetch wraps network errors: the cause says what happened (ECONNREFUSED, ECONNRESET, …).
  const cause = (err as Error & { cause?: { code?: string, message?: string } }).cause
  return cause?.code ?? cause?.message ?? err.message
}
