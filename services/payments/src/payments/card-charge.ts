import type pg from 'pg'
import type { MessagingLogger } from '@lab/messaging'
import { findConfirmedCallback, markOutcomeUnknown, setPaymentStatus, type Payment } from '../db/payments.js'
import type { ChargeOutcome } from '../provider/provider-client.js'
import { settlePayment } from './settle.js'
import type { PaymentDeps } from './deps.js'

/** What the provider said about one charge, and how long asking took (retries and backoff included). */
export interface ProviderAnswer {
  result: ChargeOutcome
  ms: number
}

/**
 * Asks the provider to charge the payment's card: breaker, bounded retries with backoff; the charge id
 * is the payment id, so asking again (a retry, a second claim, a redelivered order) charges once.
 * Seconds when the provider is slow: the caller must hold no transaction meanwhile (charge-worker.ts).
 */
export async function callProvider (payment: Payment, log: MessagingLogger, deps: PaymentDeps): Promise<ProviderAnswer> {
  const started = performance.now()
  const result = await deps.provider.charge({
    chargeId: payment.id, amountCents: payment.amountCents, callbackUrl: deps.callbackUrl(), requestId: payment.requestId ?? undefined
  }, log)
  return { result, ms: Math.round(performance.now() - started) }
}

/**
 * The provider's answer applied to a pending card payment, in the caller's short transaction (the
 * payment locked):
 * - accepted → pending until its signed callback (or settled now by a callback that came first);
 * - breaker open, or every attempt answered 5xx → failed (provider_unavailable) at once;
 * - a 4xx → failed (provider_rejected);
 * - an attempt unanswered (timeout, connection broken after sending) → the provider may have the
 *   charge: pending (outcome_unknown recorded), no event yet; its callback or the reconciler decides.
 */
export async function settleCharge (client: pg.ClientBase, payment: Payment, { result, ms }: ProviderAnswer, log: MessagingLogger, deps: PaymentDeps): Promise<void> {
  if (result.outcome === 'unavailable') {
    await settlePayment(client, payment, { status: 'failed', reason: 'provider_unavailable' }, deps, result.attempts)
    log.warn({ cause: result.cause, lastError: result.lastError, attempts: result.attempts, ms }, 'card payment failed: provider unavailable')
    return
  }
  if (result.outcome === 'rejected') {
    await settlePayment(client, payment, { status: 'failed', reason: 'provider_rejected' }, deps, result.attempts)
    log.warn({ statusCode: result.statusCode, attempts: result.attempts }, 'card payment failed: provider rejected it')
    return
  }
  if (result.outcome === 'unknown') {
    // Failing now could cancel an order whose card the provider charges a moment later.
    if (await settleFromStoredCallback(client, payment, log, deps, result.attempts)) return
    await markOutcomeUnknown(client, payment.id, result.lastError, result.attempts)
    log.warn({ lastError: result.lastError, attempts: result.attempts, ms }, 'card charge outcome unknown; pending until the provider callback or the reconciler')
    return
  }
  // Accepted. Normally the decision comes later, by callback; but if this very charge was asked for
  // before (an attempt that crashed before its commit), its callback may already be stored.
  if (await settleFromStoredCallback(client, payment, log, deps, result.attempts)) return
  await setPaymentStatus(client, payment.id, { status: 'pending', attempts: result.attempts })
  log.info({ attempts: result.attempts, ms }, 'card charge accepted by the provider; awaiting its callback')
}

/**
 * Settles the payment by a provider decision already stored (it came first); false if none. Only a
 * decision the provider confirmed counts: a callback stored unverified (the provider could not be asked
 * when it came) is a claim anyone holding the secret could have made (verify-callback.ts).
 */
async function settleFromStoredCallback (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps, attempts: number): Promise<boolean> {
  const early = await findConfirmedCallback(client, payment.id)
  if (early === null) return false
  await settlePayment(client, payment, early.status === 'succeeded' ? { status: 'succeeded' } : { status: 'failed', reason: early.reason ?? 'card_declined' }, deps, attempts)
  log.info({ status: early.status, attempts }, 'card payment settled by a callback that came first')
  return true
}
