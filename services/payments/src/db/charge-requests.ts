import type pg from 'pg'
import { toPayment, type Payment, type PaymentRow } from './payments.js'

/** The channel the charge worker LISTENs on: a charge recorded as due wakes it at commit. */
export const CHARGE_CHANNEL = 'lab_payments_charges'

/** A due charge taken by one worker until `leaseUntil`: only the holder of `token` may settle it. */
export interface ChargeClaim {
  payment: Payment
  token: string
  /** 1 for the first claim; more when an earlier claim's lease expired (its worker crashed or hung). */
  claims: number
  dueAt: Date
}

/**
 * Records, in the caller's transaction, that the payment's card charge is due: the charge worker makes
 * it after the commit, outside any transaction. The NOTIFY is transactional too (sent at commit, once
 * per transaction however many charges it records), so the worker wakes when the row is visible.
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
export async function requestCharge (client: pg.ClientBase, paymentId: string): Promise<void> {
  await client.query({
    name: 'payments.request-charge',
    text: `WITH due AS (UPDATE payments SET charge_due_at = clock_timestamp() WHERE id = $1 RETURNING id)
           SELECT pg_notify($2, '') FROM due`,
    values: [paymentId, CHARGE_CHANNEL]
  })
}

interface ClaimRow extends PaymentRow { charge_claim: string, charge_claims: number, charge_due_at: Date }

/**
 * Claims up to `limit` due charges of pending payments, oldest first, in one short statement (its own
 * transaction): FOR UPDATE SKIP LOCKED, so workers claiming at the same time take different rows and
 * never wait for each other; a fresh token and a lease, so a claim outlives its statement and another
 * worker takes the charge only once the lease has expired.
 * @see https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE
 */
export async function claimDueCharges (pool: pg.Pool, { limit, leaseMs }: { limit: number, leaseMs: number }): Promise<ChargeClaim[]> {
  const { rows } = await pool.query<ClaimRow>({
    name: 'payments.claim-due-charges',
    text: `WITH due AS (
             SELECT id FROM payments
             WHERE charge_due_at IS NOT NULL AND status = 'pending' AND charge_due_at <= clock_timestamp()
               AND (charge_lease_until IS NULL OR charge_lease_until < clock_timestamp())
             ORDER BY charge_due_at LIMIT $1
             FOR UPDATE SKIP LOCKED)
           UPDATE payments AS p
           SET charge_claim = gen_random_uuid(), charge_claims = p.charge_claims + 1,
               charge_lease_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
           FROM due WHERE p.id = due.id
           RETURNING p.*`,
    values: [limit, leaseMs]
  })
  return rows.map((r) => ({ payment: toPayment(r), token: r.charge_claim, claims: r.charge_claims, dueAt: r.charge_due_at }))
}

/**
 * Ends a claim in the caller's transaction, if it is still this one: the charge is no longer due. The
 * payment as it is now (the row locked until the commit), or null when the claim was lost (its lease
 * expired and another worker claimed the charge, or it was settled meanwhile and claimed no more).
 */
export async function finishChargeClaim (client: pg.ClientBase, paymentId: string, token: string): Promise<Payment | null> {
  const { rows } = await client.query<PaymentRow>({
    name: 'payments.finish-charge-claim',
    text: `UPDATE payments SET charge_due_at = NULL, charge_claim = NULL, charge_lease_until = NULL
           WHERE id = $1 AND charge_claim = $2
           RETURNING *`,
    values: [paymentId, token]
  })
  return rows[0] === undefined ? null : toPayment(rows[0])
}

/** Due charges of pending payments: waiting for a worker (never claimed, or the lease expired), and claimed now. */
export async function countDueCharges (db: pg.Pool): Promise<{ waiting: number, claimed: number }> {
  const { rows } = await db.query<{ waiting: number, claimed: number }>(`
    SELECT count(*) FILTER (WHERE charge_lease_until IS NULL OR charge_lease_until < clock_timestamp())::int AS waiting,
           count(*) FILTER (WHERE charge_lease_until >= clock_timestamp())::int AS claimed
    FROM payments WHERE charge_due_at IS NOT NULL AND status = 'pending'`)
  return rows[0] ?? { waiting: 0, claimed: 0 }
}
