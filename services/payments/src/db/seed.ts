import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

export interface WalletSeed {
  /** Customer wallets c-0001 … c-<customers>. */
  customers: number
  balanceCents: number
}

/**
 * Creates the customer wallets when there are none yet (the migration creates `merchant`), each with
 * its opening 'seed' ledger entry, so every balance equals its ledger from the start. One statement,
 * one transaction: all the wallets or none.
 */
export async function seedWalletsIfEmpty (client: pg.ClientBase, seed: WalletSeed, log: FastifyBaseLogger): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>("SELECT NOT EXISTS (SELECT 1 FROM wallets WHERE id <> 'merchant') AS empty")
  if (rows[0]?.empty !== true || seed.customers === 0) return false
  await client.query(`
    WITH created AS (
      INSERT INTO wallets (id, balance_cents)
      SELECT 'c-' || lpad(n::text, 4, '0'), $2::bigint FROM generate_series(1, $1::int) AS n
      RETURNING id, balance_cents
    )
    INSERT INTO ledger_entries (transfer_id, wallet_id, amount_cents, kind, reference)
    SELECT gen_random_uuid(), id, balance_cents, 'seed', 'opening balance' FROM created WHERE balance_cents > 0`,
  [seed.customers, seed.balanceCents])
  log.info(seed, 'wallets seeded')
  return true
}
