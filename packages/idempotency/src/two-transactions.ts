import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { withTransaction } from '@lab/platform'
import { requestHash } from './request-hash.js'
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './errors.js'
import {
  completeClaim, lockKeyRow, rememberedError, replay, takeOverClaim,
  type IdempotentResult, type StoredResponse
} from './key-table.js'
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_RETENTION_MS, type IdempotencyOptions, type IdempotentWork } from './with-idempotency.js'

type Claim = { kind: 'claimed', token: string } | { kind: 'completed', row: StoredResponse }

/**
 * THE COMPARISON VARIANT, not the production path: withIdempotency as it was before the claim moved
 * into the work's transaction, kept so the checkout bench can measure the difference (orders with
 * `IDEMPOTENCY_CLAIM_IN=own-transaction`: the README's "without" figures). Same promises, same rows,
 * same answers; the tests run both (test/with-idempotency.test.ts).
 *
 * The key is claimed in its own short committed transaction (so a concurrent duplicate sees the row at
 * once and gets 409); `work` then runs in a second transaction that also stores the response and
 * completes the key. A 4xx thrown by `work` is remembered; a 5xx or unknown error deletes the claim so
 * the client can retry. Two commits per request, and a claim left `in_progress` by a crash, taken over
 * after lockTimeoutMs.
 */
export async function withIdempotencyInTwoTransactions (pool: pg.Pool, options: IdempotencyOptions, work: IdempotentWork): Promise<IdempotentResult> {
  const { scope, key } = options
  const claim = await claimKey(pool, options)
  if (claim.kind === 'completed') return replay(claim.row)

  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const response = await work(client)
    // Another attempt took the claim over (we ran past lockTimeoutMs): it owns the key now, our effect must not commit.
    if (!await completeClaim(client, scope, key, claim.token, response, false)) throw new IdempotencyRequestInProgressError()
    await client.query('COMMIT')
    return { ...response, replayed: false }
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    // On this same connection while it works: taking a second one from the pool while holding this one
    // deadlocks once as many requests fail at once as the pool has connections (a flash sale's 409s).
    await settleFailedClaim(broken === undefined ? client : pool, scope, key, claim.token, err)
    throw err
  } finally {
    client.release(broken)
  }
}

async function claimKey (pool: pg.Pool, { scope, key, requestBody, retentionMs = DEFAULT_RETENTION_MS, lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS }: IdempotencyOptions): Promise<Claim> {
  const hash = requestHash(requestBody)
  // Loop only if the row vanished between our INSERT and SELECT (its attempt failed and released it).
  for (;;) {
    const claim = await withTransaction(pool, async (client, rollbackInstead): Promise<Claim | undefined> => {
      await client.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at <= now()', [scope, key])
      const token = randomUUID()
      const inserted = await client.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at)
         VALUES ($1, $2, $3, 'in_progress', $4, now() + make_interval(secs => $5))
         ON CONFLICT DO NOTHING`,
        [scope, key, hash, token, retentionMs / 1000]
      )
      if (inserted.rowCount === 1) return { kind: 'claimed', token }
      const row = await lockKeyRow(client, scope, key, lockTimeoutMs)
      if (row === undefined) {
        rollbackInstead()
        return undefined
      }
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError()
      if (row.status === 'completed') return { kind: 'completed', row }
      if (!row.stale) throw new IdempotencyRequestInProgressError()
      // The first attempt has held the key for longer than lockTimeoutMs: presume it crashed and take over.
      await takeOverClaim(client, scope, key, token)
      return { kind: 'claimed', token }
    })
    if (claim !== undefined) return claim
  }
}

/** 4xx: remember it. Anything else: release the key for a retry. */
async function settleFailedClaim (db: pg.Pool | pg.PoolClient, scope: string, key: string, token: string, err: unknown): Promise<void> {
  const answer = rememberedError(err)
  try {
    if (answer !== undefined) {
      await completeClaim(db, scope, key, token, answer, true)
    } else {
      await db.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = \'in_progress\'', [scope, key, token])
    }
  } catch {
    // The database is unreachable: the claim stays in progress and can be taken over after lockTimeoutMs.
  }
}
