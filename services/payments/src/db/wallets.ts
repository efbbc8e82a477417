import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { withTransaction } from '@lab/platform'

export interface LedgerEntry {
  id: number
  transferId: string
  amountCents: number
  kind: string
  reference: string | null
  createdAt: string
}

export interface WalletView {
  id: string
  balanceCents: number
  version: number
  createdAt: string
  recentEntries: LedgerEntry[]
}

/**
 * A new wallet; null if the id is taken. Its opening balance is the one place money is created
 * outside the seed: a single 'seed' ledger entry, written with the wallet, so its balance equals its
 * ledger from the first moment and the consistency check counts it as money put into the system.
 */
export async function createWallet (client: pg.ClientBase, id: string, initialCents: number): Promise<boolean> {
  const { rowCount } = await client.query('INSERT INTO wallets (id, balance_cents) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, initialCents])
  if (rowCount !== 1) return false
  if (initialCents > 0) {
    await client.query("INSERT INTO ledger_entries (transfer_id, wallet_id, amount_cents, kind, reference) VALUES ($1, $2, $3, 'seed', 'opening balance')",
      [randomUUID(), id, initialCents])
  }
  return true
}

/** The wallet and its latest ledger entries, read in one statement (one snapshot). */
export async function findWallet (db: pg.Pool | pg.ClientBase, id: string, entries: number): Promise<WalletView | null> {
  const { rows } = await db.query<{ id: string, balance_cents: string, version: number, created_at: Date, entries: Array<Record<string, unknown>> }>(`
    SELECT w.id, w.balance_cents, w.version, w.created_at,
      coalesce((SELECT json_agg(e ORDER BY e.id DESC) FROM (
        SELECT id, transfer_id, amount_cents, kind, reference, created_at FROM ledger_entries
        WHERE wallet_id = w.id ORDER BY id DESC LIMIT $2) e), '[]') AS entries
    FROM wallets w WHERE w.id = $1`, [id, entries])
  const row = rows[0]
  if (row === undefined) return null
  return {
    id: row.id,
    balanceCents: Number(row.balance_cents),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    recentEntries: row.entries.map((e) => ({
      id: Number(e.id),
      transferId: String(e.transfer_id),
      amountCents: Number(e.amount_cents),
      kind: String(e.kind),
      reference: e.reference === null ? null : String(e.reference),
      createdAt: new Date(String(e.created_at)).toISOString()
    }))
  }
}

export interface Consistency {
  /** Money in all wallets now. */
  totalCents: number
  /** Money ever put in (opening balances): equal to totalCents when no money was created or lost. */
  seededCents: number
  walletsMatchingLedger: boolean
  mismatches: Array<{ walletId: string, balanceCents: number, ledgerCents: number }>
  /** Transfers whose entries are not exactly one debit and one credit summing to zero. */
  unbalancedTransfers: number
}

/**
 * The ledger's invariants, checked in one REPEATABLE READ snapshot so concurrent movements cannot
 * show a half-applied state: every balance equals the sum of its entries, every transfer sums to zero.
 */
export async function checkConsistency (pool: pg.Pool): Promise<Consistency> {
  return await withTransaction(pool, async (client) => {
    const mismatches = await client.query<{ wallet_id: string, balance_cents: string, ledger_cents: string }>(`
      SELECT w.id AS wallet_id, w.balance_cents, coalesce(l.sum, 0) AS ledger_cents
      FROM wallets w LEFT JOIN (SELECT wallet_id, sum(amount_cents) AS sum FROM ledger_entries GROUP BY wallet_id) l ON l.wallet_id = w.id
      WHERE w.balance_cents <> coalesce(l.sum, 0) ORDER BY w.id LIMIT 100`)
    const totals = await client.query<{ total: string, seeded: string, unbalanced: string }>(`
      SELECT (SELECT coalesce(sum(balance_cents), 0) FROM wallets) AS total,
        (SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries WHERE kind = 'seed') AS seeded,
        (SELECT count(*) FROM (SELECT transfer_id FROM ledger_entries WHERE kind <> 'seed' GROUP BY transfer_id
          HAVING sum(amount_cents) <> 0 OR count(*) <> 2) t) AS unbalanced`)
    const t = totals.rows[0]
    return {
      totalCents: Number(t?.total ?? 0),
      seededCents: Number(t?.seeded ?? 0),
      walletsMatchingLedger: mismatches.rows.length === 0,
      mismatches: mismatches.rows.map((r) => ({ walletId: r.wallet_id, balanceCents: Number(r.balance_cents), ledgerCents: Number(r.ledger_cents) })),
      unbalancedTransfers: Number(t?.unbalanced ?? 0)
    }
  }, { isolation: 'repeatable read', readOnly: true })
}
