import type pg from 'pg'
import type { Envelope } from '@lab/messaging'
import { findPaymentForUpdate, lockPayment, setPaymentStatus } from '../db/payments.js'
import { ORDERS_CANCELLED } from '@lab/contracts'
import { readEventData } from '../events.js'
import { paymentIdForOrder } from '../payment-id.js'
import { MERCHANT_WALLET, type PaymentDeps } from './deps.js'
import type { StepContext } from './charge-order.js'

/**
 * orders.cancelled.v1 with refundRequired → the saga's compensation: a succeeded payment is refunded.
 * A wallet payment moves the money back (merchant → customer, kind 'refund', in the consumer's
 * transaction); a card payment is marked refunded only (its money moved outside the lab's wallets, and
 * the simulated provider has no refund call). Anything else (no payment, failed, already refunded) is
 * left alone: there is nothing to give back, and a repeated event changes nothing.
 */
export async function refundOrder (client: pg.ClientBase, envelope: Envelope, ctx: StepContext, deps: PaymentDeps): Promise<void> {
  const data = readEventData(ORDERS_CANCELLED, envelope.data)
  if (!data.refundRequired) return
  const paymentId = paymentIdForOrder(data.orderId)
  const log = ctx.log.child({ orderId: data.orderId, paymentId })
  await lockPayment(client, paymentId)
  const payment = await findPaymentForUpdate(client, paymentId)
  if (payment === null || payment.status !== 'succeeded') {
    log.info({ status: payment?.status ?? 'none' }, 'order cancelled; no succeeded payment to refund')
    return
  }
  if (payment.method === 'wallet') {
    const moved = await deps.moveMoney(client, {
      from: MERCHANT_WALLET, to: payment.customerId, amountCents: payment.amountCents, kind: 'refund', reference: `order:${payment.orderId}`
    })
    log.info({ transferId: moved.transferId, amountCents: payment.amountCents }, 'wallet payment refunded')
  } else {
    log.info({ amountCents: payment.amountCents }, 'card payment marked refunded')
  }
  await setPaymentStatus(client, payment.id, { status: 'refunded', reason: data.reason })
  deps.metrics.payments.inc({ method: payment.method, outcome: 'refunded' })
}
