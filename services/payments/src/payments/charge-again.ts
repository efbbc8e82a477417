import type pg from 'pg'
import type { Envelope } from '@lab/messaging'
import { findPayment, type Payment } from '../db/payments.js'
import { chargePayment, insertOrderPayment, requestCardCharge, type CardChargeStep, type StepContext } from './charge-order.js'
import type { PaymentDeps } from './deps.js'

/**
 * orders.placed.v1 with the `idempotent-consumer` switch off (picked per message in payments/order-event-handlers.ts,
 * in place of chargeOrder): "charge whatever arrives", the consumer with no idempotency check at all (its
 * inbox check is skipped too), so an order that already has a payment is charged again, whatever that
 * payment's state, and a redelivered event is a double charge. (A card's charge is requested again: the
 * worker makes it while the payment is pending, and the provider, idempotent on the charge id, still
 * charges the card once.)
 */
export async function chargeOrderAgain (client: pg.ClientBase, envelope: Envelope, ctx: StepContext, deps: PaymentDeps, cardCharge: CardChargeStep = requestCardCharge): Promise<void> {
  const { payment, paymentId, log } = await insertOrderPayment(client, envelope, ctx)
  if (payment !== null) return await chargePayment(client, payment, log, deps, cardCharge)
  const stored = await findPayment(client, paymentId) as Payment
  log.warn({ status: stored.status }, 'order already has a payment; charged again (idempotent-consumer switched off)')
  await chargePayment(client, stored, log, deps, cardCharge)
}
