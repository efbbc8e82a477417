import type pg from 'pg'
import { findPaymentForUpdate, lockPayment, recordCallback } from '../db/payments.js'
import { settlePayment } from './settle.js'
import type { PaymentDeps } from './deps.js'

export interface ProviderDecision {
  chargeId: string
  status: 'succeeded' | 'failed'
  reason?: string
}

export type CallbackOutcome =
  /** The pending payment is now succeeded or failed, and its event is in the outbox. */
  | { applied: true, paymentStatus: 'succeeded' | 'failed' }
  /** A repeated callback, or one for a payment already final: nothing changed. */
  | { applied: false, paymentStatus: string }
  /** No payment (yet) for this charge: stored, applied when the payment row is written. */
  | { applied: false, paymentStatus: 'unknown' }

/**
 * A decision the provider itself gave (its GET /charges/:chargeId answer: the reconciler's, or a
 * callback it confirmed, verify-callback.ts), in the caller's transaction: recorded as confirmed, and
 * applied to a pending card payment (pending → succeeded | failed, plus its event). Never call it with
 * a callback's word alone. Asked again (a late callback, a second round), it finds the payment final
 * and changes nothing. The payment lock first: whoever else settles this payment waits, or is waited for.
 */
export async function applyProviderDecision (client: pg.ClientBase, decision: ProviderDecision, deps: Pick<PaymentDeps, 'topics' | 'metrics'>): Promise<CallbackOutcome> {
  const chargeId = decision.chargeId.toLowerCase()
  await lockPayment(client, chargeId)
  await recordCallback(client, chargeId, { status: decision.status, reason: decision.reason ?? null }, 'confirmed')
  const payment = await findPaymentForUpdate(client, chargeId)
  if (payment === null) return { applied: false, paymentStatus: 'unknown' }
  if (payment.status !== 'pending' || payment.method !== 'card') return { applied: false, paymentStatus: payment.status }
  await settlePayment(client, payment, decision.status === 'succeeded'
    ? { status: 'succeeded' }
    : { status: 'failed', reason: decision.reason ?? 'card_declined' }, deps)
  return { applied: true, paymentStatus: decision.status }
}
