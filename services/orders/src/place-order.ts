import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { createEnvelope, enqueueOutbox } from '@lab/messaging'
import { IdempotencyRequestInProgressError, ReplayedError, type IdempotentResult, type RunIdempotently } from '@lab/idempotency'
import type { InventoryClient, Reservation } from './inventory-client.js'
import type { OrdersMetrics } from './metrics.js'
import { EVENT_TYPES, type OrderTopics } from './topics.js'
import type { Order, PlaceOrder } from './schemas/order.js'
import { findOrder, insertOrder } from './db/orders.js'
import { orderEventId, orderIdForKey } from './ids.js'
import { KeyAlreadyUsedError, OutOfStockError, StockContendedError, UnknownProductError } from './errors.js'

export interface PlaceOrderDeps {
  pool: pg.Pool
  inventory: InventoryClient
  topics: OrderTopics
  metrics: OrdersMetrics
  retentionMs: number
  /** After this long a key's in-progress claim is presumed crashed and may be taken over. */
  claimTimeoutMs: number
  /** How this request's key is handled, asked per request: the `idempotency-key` switch can flip at run time. */
  keyHandling: () => KeyHandling
}

/** Chosen where the plugin is wired (plugins/orders.ts), as inventory chooses its stock strategy. */
export interface KeyHandling {
  /** false while the `idempotency-key` switch is off: the key is ignored (every retry is a new order, under a new id). */
  honoured: boolean
  /** withIdempotency (@lab/idempotency; its comparison variant only for a bench run); withoutIdempotency while the switch is off. */
  run: RunIdempotently
}

export interface PlaceOrderRequest {
  idempotencyKey: string
  body: PlaceOrder
  requestId: string
  log: FastifyBaseLogger
}

/** What orders.placed.v1 carries (docs/patterns/saga.md). */
export interface OrderPlacedData {
  orderId: string
  customerId: string
  productId: number
  quantity: number
  amountCents: number
  paymentMethod: 'wallet' | 'card'
}

/**
 * POST /orders, the whole of it:
 *   1. Idempotency-Key (withIdempotency): the same key and body again → the stored answer (a 4xx
 *      included), nothing runs; another body → 422; the first request still running → 409. The key
 *      is claimed inside the transaction of step 3, so an order costs one commit here, not two.
 *   2. Reserve the stock at inventory (sync HTTP, breaker + timeout) under reservation id = order id,
 *      which is derived from the key: a retry after a crash half-way gets the same reservation back.
 *   3. In ONE transaction (the key's completion's): insert the order (pending) and its orders.placed.v1 outbox
 *      row. No dual write: the event exists if and only if the order does; the relay publishes it.
 *   4. If that transaction fails after the reservation, give the stock back (best effort) and answer 5xx.
 * @see https://microservices.io/patterns/data/transactional-outbox.html
 */
export async function placeOrder (deps: PlaceOrderDeps, req: PlaceOrderRequest): Promise<IdempotentResult> {
  deps.inventory.failFastWhileOpen()
  const keys = deps.keyHandling()
  // Off: a fresh id too, or the key-derived one would find the first order and refuse (KeyAlreadyUsed).
  const orderId = keys.honoured ? orderIdForKey(req.idempotencyKey) : randomUUID()
  let reservation: Reservation | undefined
  try {
    const result = await keys.run(deps.pool, {
      scope: 'orders',
      key: req.idempotencyKey,
      requestBody: req.body,
      retentionMs: deps.retentionMs,
      lockTimeoutMs: deps.claimTimeoutMs
    }, async (client) => {
      // The key's record expired and the key came back: its old order must not be touched.
      if (await findOrder(client, orderId) !== null) throw new KeyAlreadyUsedError(orderId)
      reservation = await reserve(deps.inventory, orderId, req)
      const order = await insertOrder(client, { id: orderId, ...req.body, amountCents: reservation.amountCents, reservationId: reservation.reservationId })
      await enqueueOutbox(client, { topic: deps.topics.placed, envelope: placedEvent(order), requestId: req.requestId })
      return { statusCode: 201, body: order }
    })
    if (result.replayed) {
      deps.metrics.idempotentReplays.inc({ service: 'orders' })
      req.log.info({ orderId }, 'order request replayed from its idempotency key')
    } else {
      deps.metrics.ordersPlaced.inc()
      deps.metrics.ordersTotal.inc({ status: 'pending' })
      req.log.info({ orderId, productId: req.body.productId, quantity: req.body.quantity, amountCents: reservation?.amountCents }, 'order placed')
    }
    return result
  } catch (err) {
    if (err instanceof ReplayedError) {
      // A stored 4xx answer (e.g. out of stock), replayed as an error.
      deps.metrics.idempotentReplays.inc({ service: 'orders' })
    } else if (reservation !== undefined && !(err instanceof IdempotencyRequestInProgressError)) {
      // (In progress: another attempt took this key over, and with it the reservation; it is not ours to release.)
      await releaseUnlessCommitted(deps, orderId, req)
    }
    throw err
  }
}

async function reserve (inventory: InventoryClient, orderId: string, req: PlaceOrderRequest): Promise<Reservation> {
  const { productId, quantity } = req.body
  const outcome = await inventory.reserve({ reservationId: orderId, productId, quantity }, req.requestId)
  switch (outcome.kind) {
    case 'unknown_product': throw new UnknownProductError(productId)
    case 'out_of_stock': throw new OutOfStockError(productId, quantity)
    case 'contended': throw new StockContendedError(productId)
    case 'id_taken': throw new KeyAlreadyUsedError(orderId)
  }
  const { reservation } = outcome
  // An earlier attempt with this key had its stock released (its transaction failed), or reserved
  // something else (a key reused after it expired): it cannot be this order's reservation.
  if (reservation.status !== 'reserved' || reservation.productId !== productId || reservation.quantity !== quantity) {
    throw new KeyAlreadyUsedError(orderId)
  }
  return reservation
}

/**
 * The compensation of step 4. "Unless committed": an error can also arrive after a COMMIT that did go
 * through (connection lost on the way back); then the order exists and owns its stock.
 */
async function releaseUnlessCommitted (deps: PlaceOrderDeps, orderId: string, req: PlaceOrderRequest): Promise<void> {
  try {
    if (await findOrder(deps.pool, orderId) !== null) return
    await deps.inventory.release(orderId, req.requestId)
    req.log.warn({ orderId }, 'order not stored; its reservation was released')
  } catch (err) {
    // The stock stays reserved under this order id; a retry with the same key takes it over.
    req.log.error({ err, orderId }, 'order not stored and its reservation could not be released')
  }
}

/** The payload of an order's orders.placed.v1 (checked against its consumers' schemas: packages/contracts/test). */
export function orderPlacedData (order: Order): OrderPlacedData {
  return {
    orderId: order.id,
    customerId: order.customerId,
    productId: order.productId,
    quantity: order.quantity,
    amountCents: order.amountCents,
    paymentMethod: order.paymentMethod
  }
}

function placedEvent (order: Order) {
  return createEnvelope(EVENT_TYPES.placed, order.id, orderPlacedData(order), orderEventId(order.id, 'placed'))
}
