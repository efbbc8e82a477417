import type pg from 'pg'
import type { Envelope, MessagingLogger } from '@lab/messaging'
import { findCallback, insertPendingPayment, lockPayment, markOutcomeUnknown, setPaymentStatus, type Payment } from '../db/payments.js'
import { InsufficientFundsError, WalletNotFoundError } from '../errors.js'
import { describeInvalid, orderPlacedChecker } from '../events.js'
import { paymentIdForOrder } from '../payment-id.js'
import { settlePayment } from './settle.js'
import { MERCHANT_WALLET, type PaymentDeps } from './deps.js'
import { InvalidEventError } from './invalid-event.js'

export interface StepContext {
  requestId?: string
  log: MessagingLogger
}

/**
 * orders.placed.v1 → take the money, inside the consumer's transaction (the one that records the
 * message as processed), so a redelivered event finds both its inbox row and its payment and changes
 * nothing. The payment id is derived from the order id, which also makes a second, different event for
 * the same order a no-op.
 * - wallet: customer → merchant in the ledger, then succeeded; an overdraft fails the payment
 *   (insufficient_funds), it is not an error of the consumer.
 * - card: the provider is asked to charge (breaker, bounded retries); accepted → pending until its
 *   signed callback; breaker open or every attempt answered 5xx → failed (provider_unavailable) at once;
 *   an attempt unanswered (timeout, connection broken after sending) → the provider may have the charge:
 *   pending (outcome_unknown recorded), no event yet; its callback or the reconciler decides.
 * The `idempotent-consumer` switch off runs charge-again.ts's chargeOrderAgain instead (chosen per
 * message in plugins/messaging.ts).
 */
export async function chargeOrder (client: pg.ClientBase, envelope: Envelope, ctx: StepContext, deps: PaymentDeps): Promise<void> {
  const { payment, log } = await insertOrderPayment(client, envelope, ctx)
  if (payment === null) {
    log.info('order already has a payment; nothing to do')
    return
  }
  await chargePayment(client, payment, log, deps)
}

/** A new payment for the order: validated, locked, inserted pending; `payment` null if the order already has one. */
export async function insertOrderPayment (client: pg.ClientBase, envelope: Envelope, ctx: StepContext): Promise<{ payment: Payment | null, paymentId: string, log: MessagingLogger }> {
  const data = envelope.data
  if (!orderPlacedChecker.Check(data)) throw new InvalidEventError(describeInvalid(orderPlacedChecker, data))
  const paymentId = paymentIdForOrder(data.orderId)
  const log = ctx.log.child({ orderId: data.orderId, paymentId, method: data.paymentMethod })
  await lockPayment(client, paymentId)
  const payment = await insertPendingPayment(client, {
    id: paymentId,
    orderId: data.orderId,
    customerId: data.customerId,
    method: data.paymentMethod,
    amountCents: data.amountCents,
    requestId: ctx.requestId ?? null
  })
  return { payment, paymentId, log }
}

/** Takes the money of a payment, by its method. */
export async function chargePayment (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps): Promise<void> {
  if (payment.method === 'wallet') await chargeWallet(client, payment, log, deps)
  else await chargeCard(client, payment, log, deps)
}

async function chargeWallet (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps): Promise<void> {
  try {
    const moved = await deps.moveMoney(client, {
      from: payment.customerId, to: MERCHANT_WALLET, amountCents: payment.amountCents, kind: 'charge', reference: `order:${payment.orderId}`
    })
    await settlePayment(client, payment, { status: 'succeeded' }, deps)
    log.info({ transferId: moved.transferId, amountCents: payment.amountCents }, 'wallet charged')
  } catch (err) {
    const reason = err instanceof InsufficientFundsError ? 'insufficient_funds' : err instanceof WalletNotFoundError ? 'unknown_wallet' : undefined
    if (reason === undefined) throw err
    await settlePayment(client, payment, { status: 'failed', reason }, deps)
    log.info({ reason }, 'wallet payment failed')
  }
}

async function chargeCard (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps): Promise<void> {
  const started = performance.now()
  const result = await deps.provider.charge({
    chargeId: payment.id, amountCents: payment.amountCents, callbackUrl: deps.callbackUrl(), requestId: payment.requestId ?? undefined
  }, log)
  const ms = Math.round(performance.now() - started)
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

/** Settles the payment by its provider callback if one is already stored (it came first); false if none. */
async function settleFromStoredCallback (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps, attempts: number): Promise<boolean> {
  const early = await findCallback(client, payment.id)
  if (early === null) return false
  await settlePayment(client, payment, early.status === 'succeeded' ? { status: 'succeeded' } : { status: 'failed', reason: early.reason ?? 'card_declined' }, deps, attempts)
  log.info({ status: early.status, attempts }, 'card payment settled by a callback that came first')
  return true
}
