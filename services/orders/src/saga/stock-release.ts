import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { backoffDelayMs, type BackoffCeiling } from '@lab/platform'
import { InventoryRefusedReleaseError, type InventoryClient } from '../inventory-client.js'
import type { OrdersMetrics, StockReleaseOutcome } from '../metrics.js'
import {
  claimDueReleases, countOwedReleases, forgetStockRelease, parkStockRelease, postponeStockRelease,
  type ClaimedRelease, type OwedRelease
} from '../db/stock-releases.js'

export interface StockReleaseDeps {
  pool: pg.Pool
  inventory: InventoryClient
  metrics: OrdersMetrics
  log: FastifyBaseLogger
  /** Releases claimed per pass at most. */
  batch: number
  /** The wait before a failed release is tried again: its ceiling doubles per attempt, up to maxMs. */
  retry: BackoffCeiling
}

/**
 * How long a claimed release is hidden from other sweeps while this one calls inventory: above a
 * pass's worst case (each call is bounded by INVENTORY_TIMEOUT_MS, and the breaker turns the rest of
 * a batch into instant failures once inventory is down). Being wrong costs a second release call,
 * which inventory answers as already released.
 */
const CLAIM_LEASE_MS = 60_000

/**
 * The stock compensation, "record, then act". Giving a reservation back is an HTTP call to inventory;
 * made inside the transaction that decides it (the saga's consumer transaction of up to a batch of
 * payment results, the payment timeout's, the key's of POST /orders), it would hold that connection,
 * the order row locks and the batch for the whole of inventory's latency, and while inventory is down
 * it would roll the decision back with it: the order would stay `pending` and the payment event would
 * be retried into the dead-letter topic. So the deciding transaction only records the release
 * (db/stock-releases.ts, `recordStockRelease`, beside the order's `cancelled` and its event), and the
 * release is made after the COMMIT, outside any transaction:
 *   1. claim the due releases in one short statement (SKIP LOCKED + a lease, so replicas share them);
 *   2. call inventory for each, no transaction open (its release is idempotent: a second call, after a
 *      lost answer or a lease that ran out, answers "already released" and changes nothing);
 *   3. forget the release once inventory confirmed it; else postpone it with backoff, or, refused for
 *      good (a 4xx other than 404: inventory's counters broken by lost updates), park it for an operator.
 * A release is only ever recorded by a transaction that also made it due (the order committed as
 * `cancelled`, or no order under a key that can no longer get one), so stock never goes back before
 * its cancellation commits, and a release recorded is made, however long inventory is away.
 * One batch at most: what it did, and when the next release comes due, tell the sweep when to call
 * again (plugins/payment-timeout.ts).
 */
export async function releaseDueStock (deps: StockReleaseDeps): Promise<StockReleasePass> {
  const due = await claimDueReleases(deps.pool, deps.batch, CLAIM_LEASE_MS)
  const pass: StockReleasePass = { claimed: due.length, failed: 0, nextDueInMs: null }
  for (const owed of due) {
    if (await releaseOwedStock(deps, owed) === 'failed') pass.failed++
  }
  const { owed, parked, nextDueInMs } = await countOwedReleases(deps.pool)
  deps.metrics.stockReleaseDue.set(owed)
  deps.metrics.stockReleaseParked.set(parked)
  return { ...pass, nextDueInMs }
}

/** What one releaseDueStock did. */
export interface StockReleasePass {
  /** Releases claimed; a full batch (`batch`) may have left more due now. */
  claimed: number
  /** Of those, tries that failed and were postponed (inventory away or refusing for now). */
  failed: number
  /** In how long the next owed release comes due (0 or less: now); null when none is owed. */
  nextDueInMs: number | null
}

/**
 * One owed release at inventory, outside any transaction: forgotten once inventory confirmed it, else
 * postponed (due again after a backoff of `retry`) or parked. Also called right after the transaction
 * that recorded it (POST /orders, which answers after it). Never throws.
 */
export async function releaseOwedStock (deps: StockReleaseDeps, owed: OwedRelease | ClaimedRelease): Promise<StockReleaseOutcome> {
  const orderId = owed.reservationId
  const attempts = 'attempts' in owed ? owed.attempts : 1
  try {
    const reservation = await deps.inventory.release(owed.reservationId, owed.requestId)
    await forgetStockRelease(deps.pool, owed.reservationId)
    const outcome = reservation === null ? 'unknown_reservation' : 'released'
    deps.metrics.stockReleases.inc({ outcome })
    if (reservation === null) deps.log.warn({ reqId: owed.requestId, orderId }, 'inventory does not know the reservation; nothing to release')
    else deps.log.info({ reqId: owed.requestId, orderId, reason: owed.reason, attempts }, 'stock released at inventory')
    return outcome
  } catch (err) {
    return await settleFailedRelease(deps, owed, attempts, err)
  }
}

/** A release that did not go through: refused for good → parked; anything else → due again after a backoff. */
async function settleFailedRelease (deps: StockReleaseDeps, owed: OwedRelease, attempts: number, err: unknown): Promise<StockReleaseOutcome> {
  const orderId = owed.reservationId
  // If the update fails too (Postgres away), the claim's lease makes the release due again anyway.
  if (err instanceof InventoryRefusedReleaseError) {
    deps.metrics.stockReleases.inc({ outcome: 'rejected' })
    await parkStockRelease(deps.pool, owed.reservationId, err.message).catch(() => {})
    deps.log.error({ err, reqId: owed.requestId, orderId, attempts }, 'inventory refused the stock release for good; it is parked in stock_releases for an operator')
    return 'rejected'
  }
  deps.metrics.stockReleases.inc({ outcome: 'failed' })
  const retryInMs = Math.round(backoffDelayMs(attempts, { ...deps.retry, jitter: 'equal' }))
  await postponeStockRelease(deps.pool, owed.reservationId, retryInMs, (err as Error).message).catch(() => {})
  deps.log.warn({ err, reqId: owed.requestId, orderId, attempts, retryInMs }, 'stock release failed at inventory; it stays owed and is retried')
  return 'failed'
}
