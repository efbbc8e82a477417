import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { eventually, metricValue, orderPlaced, startPaymentsWithProvider, type PaymentsWithProvider, type Provider, type Running } from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'

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
