import type pg from 'pg'

/** Payments' GET /ledger/consistency through the gateway: every wallet against its ledger, and the money in total. */
export interface LedgerConsistency { totalCents: number, seededCents: number, walletsMatchingLedger: boolean, unbalancedTransfers: number }

export const ledgerConsistency = async (gateway: string): Promise<LedgerConsistency> => await (await fetch(`${gateway}/payments/ledger/consistency`)).json() as LedgerConsistency

/** What payments' ledger charged for some wallet orders: how many were charged more than once, and the money against their amounts. */
export interface OrderCharges { orders: number, chargedTwice: number, chargedCents: number, orderCents: number }

export async function chargesOfOrders (db: pg.Pool, orderIds: string[]): Promise<OrderCharges> {
  const { rows } = await db.query<{ orders: number, twice: number, charged_cents: string, order_cents: string }>(`
    WITH charges AS (
      SELECT reference, count(DISTINCT transfer_id)::int AS n, sum(amount_cents) FILTER (WHERE amount_cents > 0) AS cents
      FROM ledger_entries WHERE kind = 'charge' AND reference = ANY($1::text[]) GROUP BY reference)
    SELECT count(*)::int AS orders,
      count(*) FILTER (WHERE c.n > 1)::int AS twice,
      coalesce(sum(c.cents), 0) AS charged_cents,
      coalesce(sum(p.amount_cents) FILTER (WHERE c.n > 0), 0) AS order_cents
    FROM payments AS p LEFT JOIN charges AS c ON c.reference = 'order:' || p.order_id
    WHERE p.method = 'wallet' AND p.order_id = ANY($2::uuid[])`, [orderIds.map((id) => `order:${id}`), orderIds])
  const r = rows[0]
  return { orders: r?.orders ?? 0, chargedTwice: r?.twice ?? Number.NaN, chargedCents: Number(r?.charged_cents ?? Number.NaN), orderCents: Number(r?.order_cents ?? Number.NaN) }
}
