import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { eventually, metricValue, orderPlaced, startPaymentsWithProvider, type PaymentsWithProvider, type Provider, type Running } from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'
import { requestCharge } from '../../src/db/charge-requests.js'

/** Claims of one charge that ask the provider (CHARGE_MAX_CLAIMS). */
const MAX_CLAIMS = 3
/** Short, so a claim whose settlement failed is claimed again quickly; above the longest charge (one attempt of 300 ms). */
const LEASE_MS = 600

let pool: pg.Pool
let provider: Provider
let payments: Running
let send: PaymentsWithProvider['send']

beforeAllWithTeardown(async () => {
  ;({ pool, provider, payments, send } = await startPaymentsWithProvider('payments_handover', {
    env: {
      // The provider's callbacks go nowhere: only the worker's settlement or the reconciler settles a charge here.
      PUBLIC_URL: 'http://127.0.0.1:9',
      PROVIDER_TIMEOUT_MS: '300',
      PROVIDER_MAX_ATTEMPTS: '1',
      CHARGE_LEASE_MS: String(LEASE_MS),
      CHARGE_MAX_CLAIMS: String(MAX_CLAIMS),
      CHARGE_SWEEP_INTERVAL_MS: '50',
      RECONCILE_AFTER_MS: '300',
      RECONCILE_INTERVAL_MS: '100'
    }
  }))
})

interface Row { status: string, outcome_unknown: string | null, charge_due_at: Date | null, charge_claims: number }

const paymentRow = async (paymentId: string): Promise<Row | undefined> =>
  (await pool.query<Row>('SELECT status, outcome_unknown, charge_due_at, charge_claims FROM payments WHERE id = $1', [paymentId])).rows[0]
const callsFor = (paymentId: string) => provider.chargeCalls.filter((c) => c.chargeId === paymentId).length
const metric = async (name: string, labels: Record<string, string>) => await metricValue(payments.registry, name, labels)

/**
 * A real failure of one payment's settlement: Postgres refuses every change of its status or attempts
 * (what the worker's settlement and the reconciler write), as a constraint or a bug would. The claims
 * and the hand-over change neither and pass. Answers how to remove the fault.
 */
async function refuseOutcomeOf (paymentId: string): Promise<() => Promise<void>> {
  await pool.query(`CREATE OR REPLACE FUNCTION refuse_outcome () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
  await pool.query(`CREATE TRIGGER refuse_outcome_of_payment BEFORE UPDATE ON payments FOR EACH ROW
    WHEN (OLD.id = ${pg.escapeLiteral(paymentId)} AND (NEW.status, NEW.attempts) IS DISTINCT FROM (OLD.status, OLD.attempts))
    EXECUTE FUNCTION refuse_outcome()`)
  return async () => { await pool.query('DROP TRIGGER IF EXISTS refuse_outcome_of_payment ON payments') }
}

/** Sessions of this database waiting for an advisory lock (a payment's lock, here). */
async function advisoryLockWaiters (): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
    WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`)
  return rows[0]?.n ?? 0
}

/**
 * A card payment the reconciler owns, its charge recorded due again while the reconciler waits for the
 * payment's lock after the provider answered 404, as chargeOrderAgain (the `idempotent-consumer` switch
 * off) does it: under that lock, held here meanwhile.
 */
async function dueAgainWhileReconciling (paymentId: string, orderId: string): Promise<void> {
  const holder = await pool.connect()
  try {
    await holder.query("SELECT pg_advisory_lock(hashtextextended('payment:' || $1, 0))", [paymentId])
    // Pending for a minute, no charge due, its call unanswered: the provider never got it (404).
    await pool.query(`INSERT INTO payments (id, order_id, customer_id, method, amount_cents, status, outcome_unknown, updated_at)
      VALUES ($1, $2, 'c-0002', 'card', 2500, 'pending', 'timeout', now() - interval '1 minute')`, [paymentId, orderId])
    await eventually(async () => await advisoryLockWaiters() >= 1, 10_000, 'the reconciler to wait for the payment\'s lock after its lookup')
    await requestCharge(holder, paymentId)
  } finally {
    await holder.query("SELECT pg_advisory_unlock(hashtextextended('payment:' || $1, 0))", [paymentId])
    holder.release()
  }
}

describe('the charge worker hands a charge it cannot settle to the reconciler', () => {
  it('stops asking the provider after CHARGE_MAX_CLAIMS claims whose settlement failed, and the reconciler settles the charge once it can', async () => {
    const order = orderPlaced('c-0001', 1500, 'card')
    const paymentId = paymentIdForOrder(order.data.orderId)
    const removeFault = await refuseOutcomeOf(paymentId)
    try {
      await send('ordersPlaced', order)
      // Each claim asks the provider (accepted) and fails to settle; its lease runs out; claimed again, MAX_CLAIMS times.
      const handedOver = await eventually(async () => { const r = await paymentRow(paymentId); return r?.outcome_unknown != null ? r : undefined }, 30_000, 'the charge handed to the reconciler')
      // The claim after the last one asked nothing: it handed the charge over.
      expect(handedOver).toEqual({ status: 'pending', outcome_unknown: 'charge_claims_exhausted', charge_due_at: null, charge_claims: MAX_CLAIMS + 1 })
      expect(callsFor(paymentId)).toBe(MAX_CLAIMS)
      expect(await metric('payments_charge_outcomes_total', { outcome: 'handed_to_reconciler' })).toBe(1)

      // No worker claims it again; the reconciler takes it, and fails to settle it while the fault lasts.
      const errorsBefore = await metric('payments_reconciled_total', { result: 'error' })
      await eventually(async () => await metric('payments_reconciled_total', { result: 'error' }) >= errorsBefore + 2, 10_000, 'the reconciler to try it')
      await sleep(2 * LEASE_MS)
      expect(callsFor(paymentId)).toBe(MAX_CLAIMS)
      expect(await paymentRow(paymentId)).toMatchObject({ status: 'pending', charge_claims: MAX_CLAIMS + 1 })
    } finally {
      await removeFault()
    }

    // The fault gone: the reconciler learns from the provider that the charge succeeded, and settles it.
    await eventually(async () => (await paymentRow(paymentId))?.status === 'succeeded', 10_000, 'the reconciler to settle the payment')
    expect(await metric('payments_reconciled_total', { result: 'succeeded' })).toBe(1)
    expect(callsFor(paymentId)).toBe(MAX_CLAIMS)
  }, 60_000)
})

describe('the reconciler leaves a charge due again to the worker', () => {
  it('does not fail a payment whose charge became due again while it asked the provider: the worker makes the charge and it succeeds', async () => {
    const { orderId } = orderPlaced('c-0002', 2500, 'card').data
    const paymentId = paymentIdForOrder(orderId)
    const reconciled = async (result: string) => await metric('payments_reconciled_total', { result })
    const [notFoundBefore, unchangedBefore, succeededBefore] = [await reconciled('not_found'), await reconciled('unchanged'), await reconciled('succeeded')]

    await dueAgainWhileReconciling(paymentId, orderId)
    // The reconciler, let go after the charge became due, writes nothing; the worker makes the charge,
    // and the reconciler later learns from the provider that it succeeded (the callbacks go nowhere).
    await eventually(async () => { const s = (await paymentRow(paymentId))?.status; return s === 'pending' ? undefined : s }, 10_000, 'the payment to settle')
    expect(await paymentRow(paymentId)).toMatchObject({ status: 'succeeded', charge_due_at: null, charge_claims: 1 })
    expect(callsFor(paymentId)).toBe(1)
    expect(await reconciled('not_found')).toBe(notFoundBefore)
    expect(await reconciled('unchanged')).toBe(unchangedBefore + 1)
    expect(await reconciled('succeeded')).toBe(succeededBefore + 1)
  }, 30_000)
})
