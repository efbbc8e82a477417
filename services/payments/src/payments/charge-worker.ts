import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { withTransaction } from '@lab/platform'
import { CHARGE_CHANNEL, claimDueCharges, finishChargeClaim, type ChargeClaim } from '../db/charge-requests.js'
import { lockPayment } from '../db/payments.js'
import type { ChargeWorkerMetrics, CHARGE_OUTCOMES } from '../metrics.js'
import { DueWorkRunner } from '../worker/due-work-runner.js'
import { callProvider, settleCharge } from './card-charge.js'
import type { PaymentDeps } from './deps.js'

type ChargeOutcomeLabel = typeof CHARGE_OUTCOMES[number]

export interface ChargeWorkerOptions {
  pool: pg.Pool
  deps: PaymentDeps
  log: FastifyBaseLogger
  metrics: ChargeWorkerMetrics
  /** How long a claim holds a charge: longer than the longest provider call (plugins/charge-worker.ts checks it). */
  leaseMs: number
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

/** One claimed charge: provider call, then settlement (see createChargeWorker); answers what happened. */
export async function chargeClaimed (claim: ChargeClaim, opts: Pick<ChargeWorkerOptions, 'pool' | 'deps' | 'log' | 'metrics'>): Promise<ChargeOutcomeLabel> {
  const { payment, token } = claim
  const { metrics } = opts
  const log = opts.log.child({ reqId: payment.requestId ?? undefined, orderId: payment.orderId, paymentId: payment.id, claims: claim.claims })
  const stopTimer = metrics.duration.startTimer()
  metrics.claims.inc({ claim: claim.claims === 1 ? 'first' : 'again' })
  metrics.wait.observe(Math.max(0, Date.now() - claim.dueAt.getTime()) / 1000)
  if (claim.claims > 1) log.warn('card charge claimed again: an earlier claim\'s lease expired before it settled')

  const answer = await callProvider(payment, log, opts.deps)
  const outcome = await withTransaction(opts.pool, async (client): Promise<ChargeOutcomeLabel> => {
    await lockPayment(client, payment.id)
    const current = await finishChargeClaim(client, payment.id, token)
    if (current === null || current.status !== 'pending') return 'superseded'
    await settleCharge(client, current, answer, log, opts.deps)
    return answer.result.outcome
  })
  if (outcome === 'superseded') log.info({ providerOutcome: answer.result.outcome }, 'card charge answered, but the payment was settled or claimed again meanwhile; nothing written')
  metrics.outcomes.inc({ outcome })
  stopTimer()
  return outcome
}
