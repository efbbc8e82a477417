import type pg from 'pg'
import { checkEventData, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED, type CheckoutEventData, type CheckoutTopic, type PaymentFailed, type PaymentSucceeded } from '@lab/contracts'
import { createEnvelope, enqueueOutbox, type Envelope, type MessageContext, type MessageHandler } from '@lab/messaging'
import type { OrdersMetrics } from '../metrics.js'
import { EVENT_TYPES, type OrderTopics } from '../topics.js'
import { finishPendingOrder, lockOrder } from '../db/orders.js'
import { recordStockRelease } from '../db/stock-releases.js'
import { orderEventId } from '../ids.js'

/**
 * The checkout saga, as orders sees it: a sequence of local transactions, one per service, each
 * publishing the event that triggers the next; a failure later on is undone by compensations
 * (choreography: no central coordinator).
 * @see https://microservices.io/patterns/data/saga.html
 *
 *   orders     POST /orders: reserve stock (inventory, sync) → order `pending` + orders.placed.v1
 *   payments   takes the money (wallet or card) → payments.succeeded.v1 | payments.failed.v1
 *   orders     (this file)
 *     payments.succeeded.v1:  pending   → `confirmed`, emit orders.confirmed.v1          (saga done)
 *                             confirmed → nothing (the same payment reported again)
 *                             cancelled → stays cancelled, emit orders.cancelled.v1 { refundRequired: true }:
 *                                         the money arrived too late (or twice); payments gives it back
 *     payments.failed.v1:     pending   → `cancelled` with the reason, emit orders.cancelled.v1 { refundRequired: false },
 *                                         and record the compensation: the reservation's release is owed
 *                             cancelled → nothing (already compensated)
 *                             confirmed → nothing but a warning (payments reported success, then failure)
 *
 * Every handler runs in the consumer's transaction with the inbox row (IdempotentConsumer), so a
 * redelivered message is skipped; the order row is locked and every transition is conditional on
 * `pending`, so a *different* message about the same payment (or the other topic's event racing it)
 * changes the state at most once. No handler calls another service: that transaction holds a batch
 * of up to CONSUMER_BATCH_SIZE messages and their order rows. The stock compensation is "record, then
 * act" (stock-release.ts): the release is recorded in the transaction that cancels, so it is owed if
 * and only if the cancellation commits, and is made at inventory after the commit by the saga's sweep
 * (plugins/payment-timeout.ts, woken by the consumer once the batch committed). Inventory being down
 * therefore delays the stock's return, never the cancellation: the event is not retried, and nothing
 * goes to the dead-letter topic for it. Events orders emits get ids derived from their cause (ids.ts),
 * so a cause handled twice still yields one event in effect downstream.
 *
 * An order whose payment result never comes is cancelled by the saga's timeout (payment-timeout.ts),
 * one more transition from `pending` under the same row lock; a success that arrives after it is the
 * `cancelled` case above (refund requested).
 */

export interface OrderSagaDeps {
  topics: OrderTopics
  metrics: OrdersMetrics
}

/** The payment-results consumer's handlers, one per event type: the payload checked against its contract (@lab/contracts), then the saga step. */
export function paymentResultHandlers (deps: OrderSagaDeps): Record<string, MessageHandler> {
  return {
    [deps.topics.paymentSucceeded]: async (client, envelope, ctx) => { await onPaymentSucceeded(deps, client, readData(PAYMENTS_SUCCEEDED, envelope), ctx) },
    [deps.topics.paymentFailed]: async (client, envelope, ctx) => { await onPaymentFailed(deps, client, readData(PAYMENTS_FAILED, envelope), ctx) }
  }
}

async function onPaymentSucceeded (deps: OrderSagaDeps, client: pg.PoolClient, payment: PaymentSucceeded, ctx: MessageContext): Promise<void> {
  const { orderId } = payment
  const order = await lockOrder(client, orderId)
  if (order === null) throw new Error(`payment succeeded for unknown order ${orderId}`)
  if (order.status === 'pending') {
    await finishPendingOrder(client, orderId, { status: 'confirmed' })
    await emit(client, deps.topics.confirmed, EVENT_TYPES.confirmed, orderId, { orderId }, orderEventId(orderId, 'confirmed'), ctx)
    deps.metrics.ordersTotal.inc({ status: 'confirmed' })
    ctx.log.info({ orderId, paymentId: payment.paymentId }, 'order confirmed')
  } else if (order.status === 'cancelled') {
    const reason = 'payment succeeded after the order was cancelled'
    // One refund per payment: a second report of the same payment gets the same event id.
    await emit(client, deps.topics.cancelled, EVENT_TYPES.cancelled, orderId, { orderId, reason, refundRequired: true }, orderEventId(orderId, 'refund', payment.paymentId), ctx)
    ctx.log.warn({ orderId, paymentId: payment.paymentId }, 'payment succeeded for a cancelled order; refund requested')
  } else {
    ctx.log.info({ orderId, paymentId: payment.paymentId }, 'payment success for an order already confirmed; nothing to do')
  }
}

async function onPaymentFailed (deps: OrderSagaDeps, client: pg.PoolClient, payment: PaymentFailed, ctx: MessageContext): Promise<void> {
  const { orderId } = payment
  const order = await lockOrder(client, orderId)
  if (order === null) throw new Error(`payment failed for unknown order ${orderId}`)
  if (order.status !== 'pending') {
    const level = order.status === 'confirmed' ? 'warn' : 'info'
    ctx.log[level]({ orderId, status: order.status, paymentId: payment.paymentId }, 'payment failure for an order no longer pending; nothing to do')
    return
  }
  const reason = `payment failed: ${payment.reason}`
  await finishPendingOrder(client, orderId, { status: 'cancelled', reason })
  // The compensation, recorded with the cancellation it belongs to; made at inventory after the commit.
  await recordStockRelease(client, { reservationId: order.reservationId, reason, requestId: ctx.requestId })
  await emit(client, deps.topics.cancelled, EVENT_TYPES.cancelled, orderId, { orderId, reason, refundRequired: false }, orderEventId(orderId, 'cancelled'), ctx)
  deps.metrics.ordersTotal.inc({ status: 'cancelled' })
  ctx.log.info({ orderId, paymentId: payment.paymentId, reason }, 'order cancelled; stock release recorded')
}

async function emit (client: pg.PoolClient, topic: string, type: string, orderId: string, data: unknown, id: string, ctx: MessageContext): Promise<void> {
  await enqueueOutbox(client, { topic, envelope: createEnvelope(type, orderId, data, id), requestId: ctx.requestId })
}

/** The event's data as its contract types it; an event that breaks the contract is retried, then dead-lettered. */
function readData<K extends CheckoutTopic> (type: K, envelope: Envelope): CheckoutEventData[K] {
  const checked = checkEventData(type, envelope.data)
  if (checked.ok) return checked.data
  throw new Error(`invalid ${envelope.type} payload: ${checked.path || '/'} ${checked.message}`)
}
