import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { Counter } from 'prom-client'
import { backoffDelayMs, withSavepoint, type BackoffCeiling } from '@lab/platform'
import { BalanceConflictError, InsufficientFundsError, SameWalletError, WalletNotFoundError } from '../errors.js'

export type MovementKind = 'transfer' | 'charge' | 'refund'

export interface Movement {
  from: string
  to: string
  amountCents: number
  kind: MovementKind
  /** Free text stored on both entries, e.g. `order:<id>`. */
  reference?: string | null
}

export interface MovementResult {
  transferId: string
  amountCents: number
  kind: MovementKind
  from: { walletId: string, balanceCents: number }
  to: { walletId: string, balanceCents: number }
  /** 1 when the first try went through; more after version conflicts. */
  attempts: number
}

export interface LockPolicy extends BackoffCeiling {
  maxAttempts: number
  metrics: { conflicts: Counter<'service'>, retries: Counter<'service'>, exhausted: Counter<'service'> }
}

interface WalletRow { id: string, balanceCents: number, version: number }

const SERVICE = { service: 'payments' }

/**
 * Moves money between two wallets inside the caller's transaction (`client` has run BEGIN): both
 * balances change and two ledger entries (debit −amount, credit +amount, one transfer id) are written,
 * or nothing is.
 *
 * Optimistic locking: the balances are read with their versions, then each is changed by a conditional
 * `UPDATE … WHERE id = $1 AND version = $2 AND balance_cents + delta >= 0`. No row matched means another
 * transaction changed the wallet since it was read: the attempt is rolled back to its savepoint (the
 * caller's transaction carries on), and retried after an exponential, fully jittered backoff, at most
 * `maxAttempts` times; then 409. An overdraft is 422 at once (retrying cannot fix it).
 *
 * The two UPDATEs always run in wallet-id order: each holds its row lock until the caller commits, so
 * two opposite transfers (A→B, B→A) lock in the same order and never deadlock.
 * @see https://martinfowler.com/eaaCatalog/optimisticOfflineLock.html
 */
export async function moveMoney (client: pg.ClientBase, movement: Movement, policy: LockPolicy): Promise<MovementResult> {
  const { from, to, amountCents } = movement
  if (from === to) throw new SameWalletError()
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw new RangeError(`amountCents must be a positive integer, got ${amountCents}`)
  for (let attempt = 1; ; attempt++) {
    const wallets = await readWallets(client, [from, to])
    const source = wallets.get(from)
    const target = wallets.get(to)
    if (source === undefined) throw new WalletNotFoundError(from)
    if (target === undefined) throw new WalletNotFoundError(to)
    if (source.balanceCents < amountCents) throw new InsufficientFundsError(from, source.balanceCents, amountCents)

    const result = await tryMove(client, movement, source, target)
    if (result !== null) return { ...result, attempts: attempt }

    policy.metrics.conflicts.inc(SERVICE)
    if (attempt >= policy.maxAttempts) {
      policy.metrics.exhausted.inc(SERVICE)
      throw new BalanceConflictError(attempt)
    }
    policy.metrics.retries.inc(SERVICE)
    await sleep(backoffDelayMs(attempt, { baseMs: policy.baseMs, maxMs: policy.maxMs, jitter: 'full', round: true }))
  }
}

async function readWallets (client: pg.ClientBase, ids: string[]): Promise<Map<string, WalletRow>> {
  // Named, like the statements below: prepared once per connection (a charge per order runs them all).
  const { rows } = await client.query<{ id: string, balance_cents: string, version: number }>({
    name: 'ledger.read-wallets', text: 'SELECT id, balance_cents, version FROM wallets WHERE id = ANY($1::text[])', values: [ids]
  })
  return new Map(rows.map((r) => [r.id, { id: r.id, balanceCents: Number(r.balance_cents), version: r.version }]))
}

/** One attempt, inside a savepoint: the movement, or null (and nothing changed) on a version conflict. */
async function tryMove (client: pg.ClientBase, movement: Movement, source: WalletRow, target: WalletRow): Promise<Omit<MovementResult, 'attempts'> | null> {
  const changes = [
    { wallet: source, delta: -movement.amountCents },
    { wallet: target, delta: movement.amountCents }
  ].sort((a, b) => (a.wallet.id < b.wallet.id ? -1 : 1))
  const balances = new Map<string, number>()
  return await withSavepoint(client, 'move_money', async (rollbackInstead) => {
    for (const { wallet, delta } of changes) {
      const { rows } = await client.query<{ balance_cents: string }>({
        name: 'ledger.update-balance',
        text: `UPDATE wallets SET balance_cents = balance_cents + $3, version = version + 1
               WHERE id = $1 AND version = $2 AND balance_cents + $3 >= 0
               RETURNING balance_cents`,
        values: [wallet.id, wallet.version, delta]
      })
      const row = rows[0]
      if (row === undefined) {
        rollbackInstead()
        return null
      }
      balances.set(wallet.id, Number(row.balance_cents))
    }
    const transferId = randomUUID()
    await client.query({
      name: 'ledger.insert-entries',
      text: `INSERT INTO ledger_entries (transfer_id, wallet_id, amount_cents, kind, reference)
             VALUES ($1, $2, $4, $5, $6), ($1, $3, $7, $5, $6)`,
      values: [transferId, source.id, target.id, -movement.amountCents, movement.kind, movement.reference ?? null, movement.amountCents]
    })
    return {
      transferId,
      amountCents: movement.amountCents,
      kind: movement.kind,
      from: { walletId: source.id, balanceCents: balances.get(source.id) ?? 0 },
      to: { walletId: target.id, balanceCents: balances.get(target.id) ?? 0 }
    }
  })
}
