import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { createEnvelope, enqueueOutbox } from '@lab/messaging'
import { withTransaction } from '@lab/platform'
import type { OrdersMetrics } from '../metrics.js'
import { EVENT_TYPES, type OrderTopics } from '../topics.js'
import { finishPendingOrder, lockOrder } from '../db/orders.js'
import { recordStockRelease } from '../db/stock-releases.js'
import { orderEventId } from '../ids.js'

export interface PaymentTimeoutDeps {
  pool: pg.Pool
  topics: OrderTopics
  metrics: OrdersMetrics
  log: FastifyBaseLogger
  /** An order still pending this long after it was placed is cancelled. */
  timeoutMs: number
  /** Orders looked at per sweep at most. */
  batch: number
}

export const PAYMENT_TIMEOUT_REASON = 'payment timed out'

/**
 * The saga's timeout: an order whose payment result never came (payments down for good, an event
 * lost to a dead-letter topic, a card whose outcome nobody settles) would stay `pending` with its
 * stock reserved forever. Past `timeoutMs` it is cancelled like a failed payment: `cancelled` with
 * reason "payment timed out", orders.cancelled.v1 { refundRequired: false } and the release of its
 * stock recorded (stock-release.ts), in one transaction, with the order row locked and the transition
 * conditional on `pending`, exactly as the payment-result step does (order-saga.ts). So the two never
 * both win, and a payment result that arrives late finds a cancelled order: a failure changes nothing;
 * a success is answered with orders.cancelled.v1 { refundRequired: true }, and payments gives the
 * money back. The event id is the order's one "cancelled" id: an order is cancelled once, whatever
 * cancelled it. No call to inventory here: the sweep that runs this (plugins/payment-timeout.ts)
 * releases the recorded stock right after, outside the transaction, so inventory being down delays
 * the stock's return, not the cancellation, and never holds the order's row lock against a late
 * payment result.
 * Returns how many orders it cancelled.
 */
export async function cancelTimedOutOrders (deps: PaymentTimeoutDeps): Promise<number> {
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT id FROM orders WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
     ORDER BY created_at LIMIT $2`, [deps.timeoutMs / 1000, deps.batch])
  let cancelled = 0
  for (const { id } of rows) {
    try {
      if (await cancelOne(deps, id)) cancelled++
    } catch (err) {
      // Postgres unreachable: the order stays pending, the next sweep tries again.
      deps.log.warn({ err, orderId: id }, 'order past its payment timeout could not be cancelled yet')
    }
  }
  return cancelled
}

async function cancelOne (deps: PaymentTimeoutDeps, orderId: string): Promise<boolean> {
  const requestId = await withTransaction(deps.pool, async (client, rollbackInstead) => {
    const order = await lockOrder(client, orderId)
    // Settled meanwhile (its payment result got here first): nothing to do.
    if (order?.status !== 'pending') {
      rollbackInstead()
      return undefined
    }
    const requestId = await placedRequestId(client, deps.topics.placed, orderId)
    await finishPendingOrder(client, orderId, { status: 'cancelled', reason: PAYMENT_TIMEOUT_REASON })
    await recordStockRelease(client, { reservationId: order.reservationId, reason: PAYMENT_TIMEOUT_REASON, requestId })
    const data = { orderId, reason: PAYMENT_TIMEOUT_REASON, refundRequired: false }
    await enqueueOutbox(client, { topic: deps.topics.cancelled, envelope: createEnvelope(EVENT_TYPES.cancelled, orderId, data, orderEventId(orderId, 'cancelled')), requestId })
    return requestId
  })
  if (requestId === undefined) return false
  deps.metrics.ordersTotal.inc({ status: 'cancelled' })
  deps.metrics.paymentTimeouts.inc()
  deps.log.warn({ reqId: requestId, orderId, timeoutMs: deps.timeoutMs }, 'order cancelled: no payment result within the timeout; stock release recorded')
  return true
}

/** The request id of the POST that placed the order (its orders.placed.v1 row), so one id still follows it. */
async function placedRequestId (client: pg.PoolClient, placedTopic: string, orderId: string): Promise<string> {
  const { rows } = await client.query<{ requestId: string | null }>(
    "SELECT headers->>'x-request-id' AS \"requestId\" FROM outbox WHERE key = $1 AND topic = $2 ORDER BY id LIMIT 1", [orderId, placedTopic])
  return rows[0]?.requestId ?? `payment-timeout-${orderId}`
}
