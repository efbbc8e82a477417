import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { withTransaction } from '@lab/platform'
import { CHARGE_CHANNEL, claimDueCharges, finishChargeClaim, type ChargeClaim } from '../db/charge-requests.js'
import { lockPayment, markOutcomeUnknown, type Payment } from '../db/payments.js'
import type { ChargeWorkerMetrics, CHARGE_OUTCOMES } from '../metrics.js'
import { DueWorkRunner } from '../worker/due-work-runner.js'
import { callProvider, settleCharge } from './card-charge.js'
import type { PaymentDeps } from './deps.js'

type ChargeOutcomeLabel = typeof CHARGE_OUTCOMES[number]

/** The outcome_unknown of a charge handed to the reconciler by the claim limit (handOverToReconciler). */
const CLAIMS_EXHAUSTED = 'charge_claims_exhausted'

export interface ChargeWorkerOptions {
  pool: pg.Pool
  deps: PaymentDeps
  log: FastifyBaseLogger
  metrics: ChargeWorkerMetrics
  /** How long a claim holds a charge: longer than the longest provider call (plugins/charge-worker.ts checks it). */
  leaseMs: number
  /** Claims of one charge that ask the provider; the next one hands the charge to the reconciler. */
  maxClaims: number
  concurrency: number
  sweepIntervalMs: number
  /** For the worker's LISTEN connection. */
  connectionString: string
  applicationName: string
}

/**
 * The charge worker: makes the card charges the consumer recorded as due (charge-order.ts), each with
 * no database transaction open while the provider answers. Per charge:
 * 1. claim, in one short statement (FOR UPDATE SKIP LOCKED and a lease: two replicas never make the
 *    same charge at once; a crashed worker's claim expires and the charge is claimed again);
 * 2. the provider called outside any transaction (breaker, retries, backoff; chargeId = payment id, so
 *    a charge claimed again is not charged twice: the provider answers the first one);
 * 3. the answer settled in a short transaction under the payment's lock, only if the claim is still
 *    this one and the payment still pending (a callback or the reconciler may have settled it).
 * A charge claimed more than `maxClaims` times (its settlement never committed) is not charged again:
 * it is handed to the reconciler (handOverToReconciler).
 * Woken by the NOTIFY of the consumer's commit, with a sweep as the safety net (DueWorkRunner, which a
 * job queue can replace: the claim and chargeClaimed are the payments-specific parts).
 */
export function createChargeWorker (opts: ChargeWorkerOptions): DueWorkRunner<ChargeClaim> {
  return new DueWorkRunner<ChargeClaim>({
    claim: async (limit) => await claimDueCharges(opts.pool, { limit, leaseMs: opts.leaseMs }),
    handle: async (claim) => { await chargeClaimed(claim, opts) },
    concurrency: opts.concurrency,
    channel: CHARGE_CHANNEL,
    connectionString: opts.connectionString,
    applicationName: opts.applicationName,
    sweepIntervalMs: opts.sweepIntervalMs,
    log: opts.log,
    onInFlight: (n) => { opts.metrics.inFlight.set(n) }
  })
}

/** One claimed charge: provider call and settlement, or handed to the reconciler past the claim limit (see createChargeWorker). */
export async function chargeClaimed (claim: ChargeClaim, opts: ClaimedChargeOptions): Promise<ChargeOutcomeLabel> {
  const { payment } = claim
  const { metrics } = opts
  const log = opts.log.child({ reqId: payment.requestId ?? undefined, orderId: payment.orderId, paymentId: payment.id, claims: claim.claims })
  const stopTimer = metrics.duration.startTimer()
  metrics.claims.inc({ claim: claim.claims === 1 ? 'first' : 'again' })
  metrics.wait.observe(Math.max(0, Date.now() - claim.dueAt.getTime()) / 1000)
  const outcome = claim.claims > opts.maxClaims
    ? await handOverToReconciler(claim, opts, log)
    : await chargeAndSettle(claim, opts, log)
  metrics.outcomes.inc({ outcome })
  stopTimer()
  return outcome
}

type ClaimedChargeOptions = Pick<ChargeWorkerOptions, 'pool' | 'deps' | 'log' | 'metrics' | 'maxClaims'>

/** The provider called outside any transaction, then its answer settled if the claim is still ours. */
async function chargeAndSettle (claim: ChargeClaim, opts: ClaimedChargeOptions, log: FastifyBaseLogger): Promise<ChargeOutcomeLabel> {
  if (claim.claims > 1) log.warn('card charge claimed again: an earlier claim\'s lease expired before it settled')
  const answer = await callProvider(claim.payment, log, opts.deps)
  const outcome = await endClaim(opts.pool, claim, async (client, current) => {
    await settleCharge(client, current, answer, log, opts.deps)
    return answer.result.outcome
  })
  if (outcome === 'superseded') log.info({ providerOutcome: answer.result.outcome }, 'card charge answered, but the payment was settled or claimed again meanwhile; nothing written')
  return outcome
}

/**
 * Claimed more than `maxClaims` times: each earlier claim's lease ran out before its settlement
 * committed (a settlement that keeps failing, a worker that keeps dying), and asking the provider again
 * would change nothing. The charge is no longer due and its outcome is unknown: the reconciler, which
 * leaves due charges alone, now asks the provider what became of it and settles it.
 */
async function handOverToReconciler (claim: ChargeClaim, opts: ClaimedChargeOptions, log: FastifyBaseLogger): Promise<ChargeOutcomeLabel> {
  const outcome = await endClaim(opts.pool, claim, async (client, current) => {
    await markOutcomeUnknown(client, current.id, CLAIMS_EXHAUSTED, current.attempts)
    return 'handed_to_reconciler'
  })
  if (outcome === 'handed_to_reconciler') log.warn({ maxClaims: opts.maxClaims }, 'card charge claimed CHARGE_MAX_CLAIMS times without settling; handed to the reconciler')
  return outcome
}

/**
 * Ends the claim in a short transaction under the payment's lock and applies `apply` to the payment as
 * it is now; 'superseded' (nothing written) if the claim was lost or the payment is no longer pending
 * (a callback or the reconciler settled it).
 */
async function endClaim (pool: pg.Pool, claim: ChargeClaim, apply: (client: pg.ClientBase, current: Payment) => Promise<ChargeOutcomeLabel>): Promise<ChargeOutcomeLabel> {
  return await withTransaction(pool, async (client): Promise<ChargeOutcomeLabel> => {
    await lockPayment(client, claim.payment.id)
    const current = await finishChargeClaim(client, claim.payment.id, claim.token)
    if (current === null || current.status !== 'pending') return 'superseded'
    return await apply(client, current)
  })
}
