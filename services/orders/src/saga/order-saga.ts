import type pg from 'pg'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { uuidSchema } from '@lab/contracts'
import { createEnvelope, enqueueOutbox, type Envelope, type MessageContext } from '@lab/messaging'
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

const Uuid = uuidSchema()
export const PaymentSucceededSchema = Type.Object({ orderId: Uuid, paymentId: Type.String(), amountCents: Type.Integer(), method: Type.String() })
export const PaymentFailedSchema = Type.Object({ orderId: Uuid, paymentId: Type.String(), amountCents: Type.Integer(), method: Type.String(), reason: Type.String() })
export type PaymentSucceeded = Static<typeof PaymentSucceededSchema>
export type PaymentFailed = Static<typeof PaymentFailedSchema>

export interface OrderSagaDeps {
  topics: OrderTopics
  metrics: OrdersMetrics
}

/** The consumer's handler: dispatches by topic, validates the payload, applies the saga step. */
export function createPaymentResultHandler (deps: OrderSagaDeps) {
  return async (client: pg.PoolClient, envelope: Envelope, ctx: MessageContext): Promise<void> => {
    if (ctx.topic === deps.topics.paymentSucceeded) await onPaymentSucceeded(deps, client, parse(PaymentSucceededSchema, envelope), ctx)
    else if (ctx.topic === deps.topics.paymentFailed) await onPaymentFailed(deps, client, parse(PaymentFailedSchema, envelope), ctx)
    else throw new Error(`no saga step for topic ${ctx.topic}`)
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

function parse<T extends typeof PaymentSucceededSchema | typeof PaymentFailedSchema> (schema: T, envelope: Envelope): Static<T> {
  if (Value.Check(schema, envelope.data)) return envelope.data
  const first = Value.Errors(schema, envelope.data).First()
  throw new Error(`invalid ${envelope.type} payload: ${first === undefined ? '?' : `${first.path || '/'} ${first.message}`}`)
}
