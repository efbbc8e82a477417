import type pg from 'pg'

/** A connection or the pool: a claim and its settlement are single statements (their own short transactions). */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>

/** A release of reserved stock that orders owes inventory (the table of migration 005). */
export interface OwedRelease {
  /** Inventory's reservation id: the order's id. */
  reservationId: string
  reason: string
  requestId: string
}

/** A release claimed for one attempt: `attempts` counts this one. */
export interface ClaimedRelease extends OwedRelease { attempts: number }

/**
 * Records that a reservation's stock must go back, inside the transaction that decided it (a
 * cancellation, an order given up). Once: a second record of the same reservation changes nothing.
 */
export async function recordStockRelease (client: pg.PoolClient, owed: OwedRelease): Promise<void> {
  await client.query({
    name: 'orders.record-stock-release',
    text: `INSERT INTO stock_releases (reservation_id, reason, request_id) VALUES ($1, $2, $3)
           ON CONFLICT (reservation_id) DO NOTHING`,
    values: [owed.reservationId, owed.reason, owed.requestId]
  })
}

/**
 * Whether the order id is spent: an order stored under it, or a release of its reservation owed (parked
 * included): the reservation is on its way back, and an order stored on it now would lose its stock
 * to that release. Two primary-key lookups, one round trip.
 */
export async function isOrderIdSpent (db: Queryable, orderId: string): Promise<boolean> {
  const { rows } = await db.query<{ spent: boolean }>({
    name: 'orders.is-order-id-spent',
    text: 'SELECT EXISTS (SELECT 1 FROM orders WHERE id = $1) OR EXISTS (SELECT 1 FROM stock_releases WHERE reservation_id = $1) AS spent',
    values: [orderId]
  })
  return rows[0]?.spent === true
}

/** Whether a release of the reservation is owed (recorded, not yet confirmed by inventory; parked included). */
export async function isStockReleaseOwed (db: Queryable, reservationId: string): Promise<boolean> {
  const { rows } = await db.query({ name: 'orders.is-stock-release-owed', text: 'SELECT 1 FROM stock_releases WHERE reservation_id = $1', values: [reservationId] })
  return rows.length > 0
}

/**
 * Claims up to `batch` releases that are due, oldest first, in one statement: each is pushed `leaseMs`
 * into the future and its attempt counted, so another replica's sweep skips it while this one calls
 * inventory (SKIP LOCKED: two sweeps never wait for each other). A sweep that dies mid-batch leaves its
 * claims to come due again when the lease ends.
 * @see https://www.postgresql.org/docs/15/sql-select.html#SQL-FOR-UPDATE-SHARE
 */
export async function claimDueReleases (db: Queryable, batch: number, leaseMs: number): Promise<ClaimedRelease[]> {
  const { rows } = await db.query<ClaimedRelease>({
    name: 'orders.claim-due-releases',
    text: `UPDATE stock_releases SET attempts = attempts + 1, due_at = now() + make_interval(secs => $2)
           WHERE reservation_id IN (
             SELECT reservation_id FROM stock_releases WHERE due_at <= now()
             ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING reservation_id AS "reservationId", reason, request_id AS "requestId", attempts`,
    values: [batch, leaseMs / 1000]
  })
  return rows
}

/** Inventory confirmed the release: nothing is owed any more. */
export async function forgetStockRelease (db: Queryable, reservationId: string): Promise<void> {
  await db.query({ name: 'orders.forget-stock-release', text: 'DELETE FROM stock_releases WHERE reservation_id = $1', values: [reservationId] })
}

/** The attempt failed: due again after `delayMs`, with the error kept for whoever looks at the table. */
export async function postponeStockRelease (db: Queryable, reservationId: string, delayMs: number, error: string): Promise<void> {
  await db.query({
    name: 'orders.postpone-stock-release',
    text: 'UPDATE stock_releases SET due_at = now() + make_interval(secs => $2), last_error = $3 WHERE reservation_id = $1',
    values: [reservationId, delayMs / 1000, error]
  })
}

/**
 * Inventory refused the release for good (a 4xx other than 404): never due again (`due_at` infinity,
 * which no claim reaches), kept with its error until an operator repairs inventory and sets `due_at`
 * back to now(). Kept, not deleted: the stock is still owed, and the row still fences the order id
 * against an order built on it (place-order.ts, storeOrder).
 */
export async function parkStockRelease (db: Queryable, reservationId: string, error: string): Promise<void> {
  await db.query({
    name: 'orders.park-stock-release',
    text: "UPDATE stock_releases SET due_at = 'infinity', last_error = $2 WHERE reservation_id = $1",
    values: [reservationId, error]
  })
}

/** The releases owed, as the sweep reports and schedules them. */
export interface OwedReleases {
  /** To be tried: due now or waiting for a retry. */
  owed: number
  /** Refused for good (parkStockRelease). */
  parked: number
  /** In how long the next of the `owed` comes due (0 or less: due now); null when none is owed. */
  nextDueInMs: number | null
}

export async function countOwedReleases (db: Queryable): Promise<OwedReleases> {
  const { rows } = await db.query<OwedReleases>({
    name: 'orders.count-owed-releases',
    text: `SELECT count(*) FILTER (WHERE due_at < 'infinity')::int AS owed, count(*) FILTER (WHERE due_at = 'infinity')::int AS parked,
                  (extract(epoch FROM min(due_at) FILTER (WHERE due_at < 'infinity') - now()) * 1000)::float8 AS "nextDueInMs"
             FROM stock_releases`
  })
  return rows[0] ?? { owed: 0, parked: 0, nextDueInMs: null }
}
