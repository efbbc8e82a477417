import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { createEnvelope, enqueueOutbox } from '@lab/messaging'
import { withTransaction, type BackoffCeiling } from '@lab/platform'
import {
  IdempotencyRequestInProgressError, ReplayedError, answerKeyUnlessAnswered, isKeyAnswered, readKeyAfterItsLock,
  type IdempotencyOptions, type IdempotentResponse, type IdempotentResult, type RunIdempotently
} from '@lab/idempotency'
import type { InventoryClient, Reservation } from './inventory-client.js'
import type { OrdersMetrics } from './metrics.js'
import { EVENT_TYPES, type OrderTopics } from './topics.js'
import type { Order, PlaceOrder } from './schemas/order.js'
import { findOrder, insertOrder } from './db/orders.js'
import { isOrderIdSpent, isStockReleaseOwed, recordStockRelease } from './db/stock-releases.js'
import { releaseOwedStock, type StockReleaseDeps } from './saga/stock-release.js'
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
  /** Backoff of a release of stock that failed (step 4), retried by the saga's sweep. */
  stockReleaseRetry: BackoffCeiling
  /** Wakes the saga's sweep after such a failure, so that it schedules the retry at its due time. */
  wakeStockReleases: () => void
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
 * POST /orders, the whole of it. The one remote call, the reservation at inventory, is made BEFORE the
 * key's transaction, so no database connection, advisory lock or claim is held while inventory answers
 * (a slow inventory would otherwise pin one connection per order in flight, for its whole latency).
 *   1. A key already answered (isKeyAnswered, one read, no lock): straight to step 3, which replays
 *      the stored answer (a 4xx included) or answers 422 for another body. Nothing is reserved again.
 *   2. Reserve the stock at inventory (sync HTTP, breaker + timeout) under reservation id = order id,
 *      derived from the key (unless a release of that id is still owed: refused, KeyAlreadyUsed). Inventory is idempotent on that id: a retry after a crash half-way, or a
 *      duplicate racing this request, gets the same reservation back, never a second one. Its answer is
 *      kept as an outcome; thrown at once, not stored under the key, are a 5xx (inventory down,
 *      contended: the request costs orders' database nothing) and the id taken by another body's
 *      reservation (422 KeyAlreadyUsed: the key stays free for the request that reserved it).
 *   3. withIdempotency, ONE short transaction (storeOrder): the key claimed (a duplicate in flight
 *      right now → 409; answered meanwhile → its replay), no order and no owed release under this id
 *      yet (else 422 KeyAlreadyUsed: the key expired and came back), the reservation's outcome turned into the declared error if it was one (so a
 *      4xx like out-of-stock is stored under the key and replayed, as before), then the order (pending)
 *      and its orders.placed.v1 outbox row. No dual write: the event exists if and only if the order
 *      does; the relay publishes it.
 *   4. A reservation made here that ends with no order (the transaction failed, a failed COMMIT, a 4xx
 *      answer stored by a concurrent request in the meantime) is given back (releaseUnlessCommitted).
 *      On a 409 (another attempt held the key) only once that attempt has answered the key without an
 *      order: it may have stored the order on this same reservation, or a 4xx of its own (out of stock
 *      when it asked, before a unit came back for this one), and then nobody else ever will.
 * @see https://microservices.io/patterns/data/transactional-outbox.html
 */
export async function placeOrder (deps: PlaceOrderDeps, req: PlaceOrderRequest): Promise<IdempotentResult> {
  deps.inventory.failFastWhileOpen()
  const keys = deps.keyHandling()
  // Off: a fresh id too, or the key-derived one would find the first order and refuse (KeyAlreadyUsed).
  const orderId = keys.honoured ? orderIdForKey(req.idempotencyKey) : randomUUID()
  const key = keyOptions(deps, req)
  const answered = keys.honoured && await isKeyAnswered(deps.pool, key)
  const reserved = answered ? undefined : await reserve(deps, orderId, req, keys.honoured)
  try {
    const result = await keys.run(deps.pool, key, async (client) => await storeOrder(deps, client, orderId, req, reserved))
    if (result.replayed) {
      deps.metrics.idempotentReplays.inc({ service: 'orders' })
      req.log.info({ orderId }, 'order request replayed from its idempotency key')
    } else {
      deps.metrics.ordersPlaced.inc()
      deps.metrics.ordersTotal.inc({ status: 'pending' })
      req.log.info({ orderId, productId: req.body.productId, quantity: req.body.quantity, amountCents: reserved?.kind === 'reserved' ? reserved.reservation.amountCents : undefined }, 'order placed')
    }
    return result
  } catch (err) {
    // A stored 4xx answer (e.g. out of stock), replayed as an error.
    if (err instanceof ReplayedError) deps.metrics.idempotentReplays.inc({ service: 'orders' })
    if (reserved?.kind === 'reserved') {
      await releaseUnlessCommitted(deps, orderId, req, keys.honoured ? key : undefined, err instanceof IdempotencyRequestInProgressError)
    }
    throw err
  }
}

/** Inventory's answer to step 2: a reservation this order may own, or the declared 4xx it amounts to. */
type ReserveAnswer = { kind: 'reserved', reservation: Reservation } | { kind: 'refused', error: Error }

async function reserve (deps: PlaceOrderDeps, orderId: string, req: PlaceOrderRequest, keyHonoured: boolean): Promise<ReserveAnswer> {
  // An earlier attempt with this key gave up and its release is still owed (the key it closed has
  // expired since): the reservation, `reserved` at inventory until the release is made, is not this
  // order's. Asked before inventory: storeOrder asks again, but by then the release may have been made
  // and forgotten, after inventory answered `reserved` here.
  if (keyHonoured && await isStockReleaseOwed(deps.pool, orderId)) return { kind: 'refused', error: new KeyAlreadyUsedError(orderId) }
  const { productId, quantity } = req.body
  const outcome = await deps.inventory.reserve({ reservationId: orderId, productId, quantity }, req.requestId)
  switch (outcome.kind) {
    case 'unknown_product': return { kind: 'refused', error: new UnknownProductError(productId) }
    case 'out_of_stock': return { kind: 'refused', error: new OutOfStockError(productId, quantity) }
    // 503, transient: not stored under the key, so thrown here, before any transaction.
    case 'contended': throw new StockContendedError(productId)
    // Another body's reservation under the key's order id: the same key sent with another body, racing
    // the request inventory reserved for (or after its key expired). Answered at once and NOT stored
    // under the key: that request, whichever reaches the key first, still stores its order.
    case 'id_taken': throw new KeyAlreadyUsedError(orderId)
  }
  const { reservation } = outcome
  if (reservation.productId !== productId || reservation.quantity !== quantity) throw new KeyAlreadyUsedError(orderId)
  // An earlier attempt with this key had its stock released (its order was not stored, or was
  // cancelled): not this order's to take.
  if (reservation.status !== 'reserved') return { kind: 'refused', error: new KeyAlreadyUsedError(orderId) }
  return { kind: 'reserved', reservation }
}

/** Step 3, the work in the key's transaction: no remote call in here. `reserved` undefined: step 2 was skipped (key answered). */
async function storeOrder (deps: PlaceOrderDeps, client: pg.PoolClient, orderId: string, req: PlaceOrderRequest, reserved: ReserveAnswer | undefined): Promise<IdempotentResponse> {
  // The key's record expired and the key came back: its old order must not be touched, nor stock on
  // its way back to inventory (a release owed, recorded under this lock by an attempt that gave up).
  if (await isOrderIdSpent(client, orderId)) throw new KeyAlreadyUsedError(orderId)
  // The key was answered when step 1 looked, and has expired since (its answer is not replayed): the client retries (409, Retry-After 1).
  if (reserved === undefined) throw new IdempotencyRequestInProgressError()
  if (reserved.kind === 'refused') throw reserved.error
  const { reservation } = reserved
  const order = await insertOrder(client, { id: orderId, ...req.body, amountCents: reservation.amountCents, reservationId: reservation.reservationId })
  await enqueueOutbox(client, { topic: deps.topics.placed, envelope: placedEvent(order), requestId: req.requestId })
  return { statusCode: 201, body: order }
}

/**
 * Step 4, the compensation: give this request's reservation back unless an order owns it. One short
 * transaction decides, fenced against a duplicate of this request that got the same reservation from
 * inventory and has not stored its order yet:
 *   - answerKeyUnlessAnswered waits for the key's lock (a duplicate storing its order finishes first),
 *     then closes the key with 422 KeyAlreadyUsed unless it has an answer: no attempt can store an
 *     order on this reservation afterwards (a retry would get 422 anyway, inventory answering
 *     "released"). A live claim of another attempt (the comparison variant's): that attempt decides.
 *   - `keyWasHeld` (this request got 409): the key is another attempt's to answer, so it is only read
 *     (readKeyAfterItsLock, after that attempt finished). Answered: no request with the key runs again,
 *     so unless that attempt's order owns the stock, nobody will. Free (that attempt failed with a 5xx):
 *     the reservation is left to the client's retry, which takes it over, as after a crash.
 *   - "unless committed": the order may exist after all, e.g. our COMMIT went through and only its
 *     answer was lost, or the duplicate stored it: then it owns the stock.
 *   - the release is recorded (stock-release.ts) in that transaction, then made right away, outside it;
 *     should inventory fail, the saga's sweep (woken, to schedule it) retries it until it goes through.
 * With the key switch off the order id is random: no duplicate shares it, so no key to close.
 * If this transaction itself fails (Postgres away), nothing is recorded: the stock stays reserved
 * under this order id, and a retry with the same key takes it over.
 */
async function releaseUnlessCommitted (deps: PlaceOrderDeps, orderId: string, req: PlaceOrderRequest, key: IdempotencyOptions | undefined, keyWasHeld: boolean): Promise<void> {
  const owed = { reservationId: orderId, reason: 'order not stored', requestId: req.requestId }
  try {
    const due = await withTransaction(deps.pool, async (client, rollbackInstead) => {
      if (!await noOrderCanOwn(client, orderId, key, keyWasHeld)) {
        rollbackInstead()
        return false
      }
      await recordStockRelease(client, owed)
      return true
    }, { lockTimeoutMs: KEY_LOCK_WAIT_MS })
    if (!due) return
    const outcome = await releaseOwedStock(stockReleaseDeps(deps, req), owed)
    if (outcome === 'released') req.log.warn({ orderId }, 'order not stored; its reservation was released')
    if (outcome === 'failed') deps.wakeStockReleases()
  } catch (err) {
    req.log.error({ err, orderId }, 'order not stored and its reservation could not be released')
  }
}

/** Decided under the key's lock, held until the caller's transaction ends: no order owns the reservation, and none can any more. */
async function noOrderCanOwn (client: pg.PoolClient, orderId: string, key: IdempotencyOptions | undefined, keyWasHeld: boolean): Promise<boolean> {
  if (key !== undefined) {
    const state = keyWasHeld ? await readKeyAfterItsLock(client, key) : await answerKeyUnlessAnswered(client, key, new KeyAlreadyUsedError(orderId))
    if (state === 'in_progress' || state === 'free') return false
  }
  return await findOrder(client, orderId) === null
}

/** The key's lock is held for one short transaction (step 3, no remote call in it): a longer wait means trouble, so give up. */
const KEY_LOCK_WAIT_MS = 5000

function keyOptions (deps: PlaceOrderDeps, req: PlaceOrderRequest): IdempotencyOptions {
  return { scope: 'orders', key: req.idempotencyKey, requestBody: req.body, retentionMs: deps.retentionMs, lockTimeoutMs: deps.claimTimeoutMs }
}

function stockReleaseDeps (deps: PlaceOrderDeps, req: PlaceOrderRequest): StockReleaseDeps {
  return { pool: deps.pool, inventory: deps.inventory, metrics: deps.metrics, log: req.log, batch: 1, retry: deps.stockReleaseRetry }
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
