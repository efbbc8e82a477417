import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { withTransaction } from '@lab/platform'
import { findStalePendingCardPaymentForUpdate, findStalePendingCardPayments, lockPayment, type Payment } from '../db/payments.js'
import type { RECONCILE_RESULTS } from '../metrics.js'
import { applyProviderDecision } from './apply-callback.js'
import { settlePayment } from './settle.js'
import type { PaymentDeps } from './deps.js'

type ReconcileResult = typeof RECONCILE_RESULTS[number]

export interface ReconcilerOptions {
  pool: pg.Pool
  deps: PaymentDeps
  log: FastifyBaseLogger
  intervalMs: number
  /** A card payment is checked once it has been pending (or unchanged) this long. */
  afterMs: number
  batch: number
}

/** Session advisory lock key: one reconciler round at a time across every payments replica. */
const LOCK_SQL = "SELECT pg_try_advisory_lock(hashtextextended('lab.payments.reconciler', 0)) AS locked"
const UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtextextended('lab.payments.reconciler', 0))"

/**
 * Closes the "outcome unknown" gap of card charges: a provider call that timed out (or whose connection
 * broke after sending) leaves the payment pending, and so does a callback that never arrives, or one
 * that could not be checked with the provider when it came (stored unverified, verify-callback.ts). Every
 * `intervalMs` the reconciler asks the provider (GET /charges/:chargeId, through the same breaker) about
 * card payments pending for longer than `afterMs`:
 * - decided (succeeded / failed) → applied exactly as the signed callback would be (applyProviderDecision:
 *   one transaction, idempotent, the event through the outbox); a late callback then changes nothing;
 * - 404 → the provider never took the charge → failed `provider_unavailable` (payments.failed.v1),
 *   unless the payment changed meanwhile (its charge due again: the worker's; asked again next round);
 * - still pending at the provider, or no answer (breaker open, timeout, 5xx) → asked again next round.
 * One replica reconciles at a time (pg_try_advisory_lock); the timer is unref'd and stop() waits for
 * the round in progress.
 */
export class Reconciler {
  readonly #opts: ReconcilerOptions
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> | undefined
  #stopped = true

  constructor (opts: ReconcilerOptions) {
    this.#opts = opts
  }

  start (): void {
    this.#stopped = false
    this.#schedule()
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#round
  }

  /** One round; answers how many payments it looked at (0 when another replica holds the lock). */
  async runOnce (): Promise<number> {
    const { pool, afterMs, batch } = this.#opts
    const lockClient = await pool.connect()
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>(LOCK_SQL)
      if (rows[0]?.locked !== true) return 0
      try {
        const stale = await findStalePendingCardPayments(pool, afterMs, batch)
        for (const payment of stale) {
          if (this.#stopped) break
          // One payment failing (a bug, a constraint) must not stop the others behind it in the queue.
          try {
            await this.#reconcile(payment)
          } catch (err) {
            this.#opts.deps.metrics.reconciled.inc({ result: 'error' })
            this.#opts.log.error({ err, paymentId: payment.id }, 'reconciling a payment failed; trying again next round')
          }
        }
        return stale.length
      } finally {
        await lockClient.query(UNLOCK_SQL)
      }
    } finally {
      lockClient.release()
    }
  }

  #schedule (): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#round = this.runOnce()
        .catch((err: unknown) => { this.#opts.log.error({ err }, 'reconciliation round failed; trying again next round') })
        .then(() => { this.#round = undefined; this.#schedule() })
    }, this.#opts.intervalMs)
    this.#timer.unref()
  }

  async #reconcile (payment: Payment): Promise<void> {
    const { deps } = this.#opts
    const log = this.#opts.log.child({ reqId: payment.requestId ?? undefined, paymentId: payment.id, orderId: payment.orderId })
    const lookup = await deps.provider.lookup(payment.id)
    let result: ReconcileResult
    if (lookup.state === 'unreachable' || lookup.state === 'pending') {
      result = lookup.state
      log.info({ lookup }, 'reconciliation: provider has no decision for us yet; asking again next round')
    } else if (lookup.state === 'not_found') {
      const settled = await withTransaction(this.#opts.pool, async (client) => await failNeverReceived(client, payment.id, this.#opts.afterMs, deps))
      result = settled ? 'not_found' : 'unchanged'
      if (settled) log.warn({ result }, 'reconciliation: the provider never received the charge; payment failed (provider_unavailable)')
      else log.info({ result }, 'reconciliation: the provider never received the charge, but the payment changed meanwhile (settled, or its charge due again); nothing written')
    } else {
      const decision = lookup.state === 'succeeded'
        ? { chargeId: payment.id, status: 'succeeded' as const }
        : { chargeId: payment.id, status: 'failed' as const, reason: lookup.reason }
      const outcome = await withTransaction(this.#opts.pool, async (client) => await applyProviderDecision(client, decision, deps))
      result = outcome.applied ? lookup.state : 'unchanged'
      log.info({ result, status: lookup.state }, 'reconciliation: provider decision applied')
    }
    deps.metrics.reconciled.inc({ result })
  }
}

/**
 * The provider answered 404: no charge, no money taken. Fails the payment only if, under its lock, it
 * is still as the round found it (pending, no charge due, unchanged for `afterMs`). Between the scan and
 * this lock a repeated order (chargeOrderAgain, the `idempotent-consumer` switch off) may have recorded
 * the charge as due again, and the worker may have made it since: the 404 is then out of date, and
 * failing the payment would leave a charged card on a failed order. The next round asks again.
 */
async function failNeverReceived (client: pg.ClientBase, paymentId: string, afterMs: number, deps: PaymentDeps): Promise<boolean> {
  await lockPayment(client, paymentId)
  const payment = await findStalePendingCardPaymentForUpdate(client, afterMs, paymentId)
  if (payment === null) return false
  await settlePayment(client, payment, { status: 'failed', reason: 'provider_unavailable' }, deps)
  return true
}
