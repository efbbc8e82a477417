import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { withTransaction } from '@lab/platform'
import { findChargedCardPayment, recordCallback, type Payment } from '../db/payments.js'
import type { ChargeLookup } from '../provider/provider-client.js'
import type { CALLBACK_OUTCOMES } from '../metrics.js'
import { applyProviderDecision, type ProviderDecision } from './apply-callback.js'
import type { PaymentDeps } from './deps.js'

export type CallbackResult = typeof CALLBACK_OUTCOMES[number]

/**
 * A signed provider callback, taken as a claim to check, not as a fact: a valid signature proves only
 * that the sender holds the secret, and the charge id is derived from the order id, so anyone with the
 * secret can sign "succeeded" for any order. So:
 * 1. it must be about a charge payments made: a card payment whose charge was claimed or sent
 *    (findChargedCardPayment); anything else is `rejected_not_ours`. A payment already final:
 *    `already_final` (the provider delivers at least once), the provider is not asked;
 * 2. the provider is asked (GET /charges/:chargeId, through the same breaker and timeout as every call):
 *    the callback is applied only if the provider holds the charge decided as the callback says, for
 *    the payment's amount, and what is applied is the provider's answer. Anything else (undecided, not
 *    found, another status, another amount) is `rejected_contradicted`: nothing stored, nothing changed;
 * 3. the provider cannot be asked (breaker open, timeout): `unverified`, stored as such and not applied;
 *    the payment stays pending for the reconciler, which asks the provider itself (reconcile.ts).
 * The sender is answered the same whatever the outcome (routes/provider-callbacks.ts).
 * @see https://docs.stripe.com/webhooks#verify-events
 */
export async function receiveProviderCallback (pool: pg.Pool, callback: ProviderDecision, deps: PaymentDeps, log: FastifyBaseLogger): Promise<CallbackResult> {
  const chargeId = callback.chargeId.toLowerCase()
  const payment = await findChargedCardPayment(pool, chargeId)
  if (payment === null) return 'rejected_not_ours'
  if (payment.status !== 'pending') return 'already_final'
  const lookup = await deps.provider.lookup(chargeId)
  if (lookup.state === 'unreachable') {
    await withTransaction(pool, async (client) => { await recordCallback(client, chargeId, { status: callback.status, reason: callback.reason ?? null }, 'unverified') })
    log.warn({ chargeId, status: callback.status, error: lookup.error }, 'provider callback not verified (provider unreachable); left to the reconciler')
    return 'unverified'
  }
  const confirmed = confirmedDecision(payment, callback, lookup)
  if (confirmed === null) {
    log.warn({ chargeId, status: callback.status, provider: lookup.state }, 'provider callback contradicted by the provider; rejected')
    return 'rejected_contradicted'
  }
  const outcome = await withTransaction(pool, async (client) => await applyProviderDecision(client, confirmed, deps))
  return outcome.applied ? 'applied' : 'already_final'
}

/** The provider's decision, when it is the one the callback claims, on a charge of the payment's amount; else null. */
function confirmedDecision (payment: Payment, callback: ProviderDecision, lookup: Exclude<ChargeLookup, { state: 'unreachable' }>): ProviderDecision | null {
  if (lookup.state !== 'succeeded' && lookup.state !== 'failed') return null
  if (lookup.state !== callback.status || lookup.amountCents !== payment.amountCents) return null
  return lookup.state === 'succeeded'
    ? { chargeId: payment.id, status: 'succeeded' }
    : { chargeId: payment.id, status: 'failed', reason: lookup.reason }
}
