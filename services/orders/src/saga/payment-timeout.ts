import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { createEnvelope, enqueueOutbox } from '@lab/messaging'
import { withTransaction } from '@lab/platform'
import type { InventoryClient } from '../inventory-client.js'
import type { OrdersMetrics } from '../metrics.js'
import { EVENT_TYPES, type OrderTopics } from '../topics.js'
import { finishPendingOrder, lockOrder } from '../db/orders.js'
import { orderEventId } from '../ids.js'

export interface PaymentTimeoutDeps {
  pool: pg.Pool
  inventory: InventoryClient
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
 * stock reserved forever. Past `timeoutMs` it is cancelled like a failed payment: stock released at
 * inventory first (if that fails, nothing commits and the next sweep tries again), then `cancelled`
 * with reason "payment timed out" and orders.cancelled.v1 { refundRequired: false }, in one
 * transaction, with the order row locked and the transition conditional on `pending`, exactly as the
 * payment-result step does (order-saga.ts). So the two never both win, and a payment result that
 * arrives late finds a cancelled order: a failure changes nothing; a success is answered with
 * orders.cancelled.v1 { refundRequired: true }, and payments gives the money back. The event id is
 * the order's one "cancelled" id: an order is cancelled once, whatever cancelled it.
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
      // Inventory or Postgres unreachable: the order stays pending, the next sweep tries again.
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
    await deps.inventory.release(order.reservationId, requestId)
    await finishPendingOrder(client, orderId, { status: 'cancelled', reason: PAYMENT_TIMEOUT_REASON })
    const data = { orderId, reason: PAYMENT_TIMEOUT_REASON, refundRequired: false }
    await enqueueOutbox(client, { topic: deps.topics.cancelled, envelope: createEnvelope(EVENT_TYPES.cancelled, orderId, data, orderEventId(orderId, 'cancelled')), requestId })
    return requestId
  })
  if (requestId === undefined) return false
  deps.metrics.ordersTotal.inc({ status: 'cancelled' })
  deps.metrics.paymentTimeouts.inc()
  deps.log.warn({ reqId: requestId, orderId, timeoutMs: deps.timeoutMs }, 'order cancelled: no payment result within the timeout; stock released')
  return true
}

/** The request id of the POST that placed the order (its orders.placed.v1 row), so one id still follows it. */
async function placedRequestId (client: pg.PoolClient, placedTopic: string, orderId: string): Promise<string> {
  const { rows } = await client.query<{ requestId: string | null }>(
    "SELECT headers->>'x-request-id' AS \"requestId\" FROM outbox WHERE key = $1 AND topic = $2 ORDER BY id LIMIT 1", [orderId, placedTopic])
  return rows[0]?.requestId ?? `payment-timeout-${orderId}`
}
