import type pg from 'pg'

export type PaymentMethod = 'wallet' | 'card'
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded'

export interface Payment {
  id: string
  orderId: string
  customerId: string
  method: PaymentMethod
  amountCents: number
  status: PaymentStatus
  reason: string | null
  attempts: number
  requestId: string | null
}

/** A payments row as pg returns it (charge-requests.ts reads the same rows). */
export interface PaymentRow {
  id: string
  order_id: string
  customer_id: string
  method: PaymentMethod
  amount_cents: string
  status: PaymentStatus
  reason: string | null
  attempts: number
  request_id: string | null
}

export const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  orderId: r.order_id,
  customerId: r.customer_id,
  method: r.method,
  amountCents: Number(r.amount_cents),
  status: r.status,
  reason: r.reason,
  attempts: r.attempts,
  requestId: r.request_id
})

/**
 * Serialises everything that touches one payment (its charge, its provider callbacks, its refund) for
 * the rest of the transaction. A callback can reach us before the transaction that asked for the
 * charge has committed its payment row: it waits here for that commit, then sees the row.
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 */
export async function lockPayment (client: pg.ClientBase, paymentId: string): Promise<void> {
  // The per-order statements are named: prepared once per connection, not parsed and planned per event.
  await client.query({ name: 'payments.lock', text: "SELECT pg_advisory_xact_lock(hashtextextended('payment:' || $1, 0))", values: [paymentId] })
}

/** The new payment, pending; null when the order already has one (a repeated order event). */
export async function insertPendingPayment (client: pg.ClientBase, p: Omit<Payment, 'status' | 'reason' | 'attempts'>): Promise<Payment | null> {
  const { rows } = await client.query<PaymentRow>({
    name: 'payments.insert-pending',
    text: `INSERT INTO payments (id, order_id, customer_id, method, amount_cents, status, request_id)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6)
           ON CONFLICT DO NOTHING
           RETURNING *`,
    values: [p.id, p.orderId, p.customerId, p.method, p.amountCents, p.requestId]
  })
  return rows[0] === undefined ? null : toPayment(rows[0])
}

export async function findPaymentForUpdate (client: pg.ClientBase, paymentId: string): Promise<Payment | null> {
  const { rows } = await client.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [paymentId])
  return rows[0] === undefined ? null : toPayment(rows[0])
}

export async function findPayment (db: pg.Pool | pg.ClientBase, paymentId: string): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [paymentId])
  return rows[0] === undefined ? null : toPayment(rows[0])
}

export async function setPaymentStatus (client: pg.ClientBase, paymentId: string, change: { status: PaymentStatus, reason?: string | null, attempts?: number }): Promise<void> {
  await client.query({
    name: 'payments.set-status',
    text: `UPDATE payments SET status = $2, reason = coalesce($3, reason), attempts = coalesce($4, attempts), updated_at = now()
           WHERE id = $1`,
    values: [paymentId, change.status, change.reason ?? null, change.attempts ?? null]
  })
}

export type CallbackVerdict = 'confirmed' | 'unverified'

/**
 * Remembers a signed callback, once per charge: 'confirmed' (the provider's own answer) replaces an
 * 'unverified' one (stored while the provider could not be asked), never the other way round.
 */
export async function recordCallback (client: pg.ClientBase, chargeId: string, decision: { status: 'succeeded' | 'failed', reason: string | null }, verdict: CallbackVerdict): Promise<void> {
  await client.query(
    `INSERT INTO provider_callbacks (charge_id, status, reason, verdict) VALUES ($1, $2, $3, $4)
     ON CONFLICT (charge_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, verdict = excluded.verdict, received_at = now()
     WHERE excluded.verdict = 'confirmed' AND provider_callbacks.verdict <> 'confirmed'`,
    [chargeId, decision.status, decision.reason, verdict])
}

/** The charge's decision as the provider confirmed it, if one is stored; an unverified callback is not one. */
export async function findConfirmedCallback (client: pg.ClientBase, chargeId: string): Promise<{ status: 'succeeded' | 'failed', reason: string | null } | null> {
  const { rows } = await client.query<{ status: 'succeeded' | 'failed', reason: string | null }>(
    "SELECT status, reason FROM provider_callbacks WHERE charge_id = $1 AND verdict = 'confirmed'", [chargeId])
  return rows[0] ?? null
}

/**
 * The card payment whose charge payments asked the provider for (a worker claimed it, or the provider
 * was called): the only payments a callback can be about. Null for any other id, a wallet payment, or
 * a card charge still waiting for its first claim (the provider cannot have heard of it).
 */
export async function findChargedCardPayment (db: pg.Pool | pg.ClientBase, paymentId: string): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>(
    "SELECT * FROM payments WHERE id = $1 AND method = 'card' AND (charge_claims > 0 OR attempts > 0)", [paymentId])
  return rows[0] === undefined ? null : toPayment(rows[0])
}

/**
 * A card payment left pending because the provider did not answer for sure (`why`: the last error), or
 * because the charge worker gave it up after CHARGE_MAX_CLAIMS claims (payments/charge-worker.ts): the
 * reconciler asks the provider what became of it.
 * updated_at is the wall clock, not the transaction's start, so the reconciler waits from the moment the
 * last attempt was given up.
 */
export async function markOutcomeUnknown (client: pg.ClientBase, paymentId: string, why: string, attempts: number): Promise<void> {
  await client.query(`
    UPDATE payments SET outcome_unknown = $2, attempts = $3, updated_at = clock_timestamp() WHERE id = $1 AND status = 'pending'`,
  [paymentId, why, attempts])
}

/**
 * The reconciler's payments: card payments pending, unchanged for longer than `$1` ms. A charge still
 * due (not yet made by the charge worker, or being made now) is the worker's, not the reconciler's: the
 * provider would answer 404 for it and the payment would fail before it was charged.
 */
const STALE_PENDING_CARD = `status = 'pending' AND method = 'card' AND charge_due_at IS NULL
  AND updated_at < clock_timestamp() - make_interval(secs => $1::float8 / 1000)`

/** Card payments pending for longer than `olderThanMs`, oldest first: the reconciler's round. */
export async function findStalePendingCardPayments (db: pg.Pool | pg.ClientBase, olderThanMs: number, limit: number): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>(`SELECT * FROM payments WHERE ${STALE_PENDING_CARD} ORDER BY updated_at LIMIT $2`, [olderThanMs, limit])
  return rows.map(toPayment)
}

/**
 * The payment, locked, if it is still one of the reconciler's (as findStalePendingCardPayments chose
 * them); null if it changed since: settled, its charge due again, or written by the worker just now.
 */
export async function findStalePendingCardPaymentForUpdate (client: pg.ClientBase, olderThanMs: number, paymentId: string): Promise<Payment | null> {
  const { rows } = await client.query<PaymentRow>(`SELECT * FROM payments WHERE ${STALE_PENDING_CARD} AND id = $2 FOR UPDATE`, [olderThanMs, paymentId])
  return rows[0] === undefined ? null : toPayment(rows[0])
}
