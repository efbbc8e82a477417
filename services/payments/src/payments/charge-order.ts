import type pg from 'pg'
import type { Envelope, MessagingLogger } from '@lab/messaging'
import { insertPendingPayment, lockPayment, type Payment } from '../db/payments.js'
import { requestCharge } from '../db/charge-requests.js'
import { InsufficientFundsError, WalletNotFoundError } from '../errors.js'
import { ORDERS_PLACED } from '@lab/contracts'
import { readEventData } from '../events.js'
import { paymentIdForOrder } from '../payment-id.js'
import { settlePayment } from './settle.js'
import { MERCHANT_WALLET, type PaymentDeps } from './deps.js'

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
 *   (insufficient_funds), it is not an error of the consumer. Local rows in this database: they belong
 *   in this transaction.
 * - card: only recorded here, pending with its charge due (requestCardCharge); the charge worker
 *   (charge-worker.ts) calls the provider after the commit, outside any transaction, and settles the
 *   payment in a short one of its own. A provider call inside this transaction would hold its
 *   connection and its locks, and every other order of the batch, for the provider's latency.
 * `cardCharge` is chosen per message in payments/order-event-handlers.ts: with the `charge-worker` switch off,
 * charge-in-transaction.ts calls the provider here (as before issue 12). The `idempotent-consumer`
 * switch off runs charge-again.ts's chargeOrderAgain instead of this function.
 */
export async function chargeOrder (client: pg.ClientBase, envelope: Envelope, ctx: StepContext, deps: PaymentDeps, cardCharge: CardChargeStep = requestCardCharge): Promise<void> {
  const { payment, log } = await insertOrderPayment(client, envelope, ctx)
  if (payment === null) {
    log.info('order already has a payment; nothing to do')
    return
  }
  await chargePayment(client, payment, log, deps, cardCharge)
}

/** A new payment for the order: validated, locked, inserted pending; `payment` null if the order already has one. */
export async function insertOrderPayment (client: pg.ClientBase, envelope: Envelope, ctx: StepContext): Promise<{ payment: Payment | null, paymentId: string, log: MessagingLogger }> {
  const data = readEventData(ORDERS_PLACED, envelope.data)
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

/** How a card payment is charged from inside the consumer's transaction (see chargeOrder). */
export type CardChargeStep = (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps) => Promise<void>

/** Takes the money of a payment, by its method. */
export async function chargePayment (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps, cardCharge: CardChargeStep): Promise<void> {
  if (payment.method === 'wallet') await chargeWallet(client, payment, log, deps)
  else await cardCharge(client, payment, log, deps)
}

/** A card: the charge recorded as due (and the charge worker woken at commit); the provider is called after it. */
export async function requestCardCharge (client: pg.ClientBase, payment: Payment, log: MessagingLogger): Promise<void> {
  await requestCharge(client, payment.id)
  log.info({ amountCents: payment.amountCents }, 'card charge requested; the charge worker makes it after the commit')
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
