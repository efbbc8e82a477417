import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { withTransaction } from '@lab/platform'
import { requestHash } from './request-hash.js'
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './errors.js'
import {
  KEY_LOCK_ARGS, completeClaim, lockKeyRow, rememberedError, replay, takeOverClaim,
  type IdempotentResponse, type IdempotentResult, type StoredResponse
} from './key-table.js'

export interface IdempotencyOptions {
  /** What the key is unique within, e.g. 'orders' or 'transfers'. */
  scope: string
  key: string
  requestBody: unknown
  /** How long a key is remembered (default 24 h); after that the same key runs again. */
  retentionMs?: number
  /** After this long an in-progress claim is presumed crashed and may be taken over (default 30 s). */
  lockTimeoutMs?: number
}

/** The request's effect: runs in the transaction open on `client`, answers what to send (and store). */
export type IdempotentWork = (client: pg.PoolClient) => Promise<IdempotentResponse>

/**
 * The shape every way to run a request under its key shares, so a service picks one where it wires
 * its plugins: withIdempotency, withoutIdempotency (the `idempotency-key` switch off), or the
 * comparison variant withIdempotencyInTwoTransactions (two-transactions.ts).
 */
export type RunIdempotently = (pool: pg.Pool, options: IdempotencyOptions, work: IdempotentWork) => Promise<IdempotentResult>

export const DEFAULT_RETENTION_MS = 24 * 3600_000
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000

/**
 * One statement: take the key's transaction-scoped advisory lock (KEY_LOCK_ARGS) without waiting, and
 * only if we got it, claim the key (a fresh row, or an expired one taken over). The lock is what a
 * concurrent duplicate runs into (409 at once); the row stays invisible to others until COMMIT.
 */
const CLAIM_SQL = `
WITH lock AS (
  SELECT pg_try_advisory_xact_lock(${KEY_LOCK_ARGS}) AS held
), claimed AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at)
  SELECT $1, $2, $3, 'in_progress', $4, now() + make_interval(secs => $5) FROM lock WHERE held
  ON CONFLICT (scope, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status = 'in_progress', lock_token = EXCLUDED.lock_token, locked_at = now(),
        response_status = NULL, response_body = NULL, response_is_error = false, created_at = now(), completed_at = NULL,
        expires_at = EXCLUDED.expires_at
    WHERE idempotency_keys.expires_at <= now()
  RETURNING 1
)
SELECT held, EXISTS (SELECT 1 FROM claimed) AS claimed FROM lock`

/** How the transaction ended: a stored answer to replay (rolled back), a 4xx remembered (committed, then thrown), or done. */
type Outcome = { kind: 'replay', row: StoredResponse } | { kind: 'remembered', error: unknown } | { kind: 'done', response: IdempotentResponse }

/**
 * Run `work` at most once per (scope, key), its answer stored with its effect. The claim is made inside
 * the work's own transaction: BEGIN; lock + claim; SAVEPOINT; work; complete the key; COMMIT: one
 * commit per request, and three round trips fewer than a claim committed on its own first (the
 * comparison variant, two-transactions.ts; measured in the README's checkout figures).
 * - the same key and body again → the stored answer (`replayed: true`), the work not run;
 * - the same key with another body → 422 IDEMPOTENCY_KEY_REUSED;
 * - a duplicate while the first runs → 409 IDEMPOTENCY_REQUEST_IN_PROGRESS, `retry-after: 1`;
 * - a 4xx thrown by the work → remembered: the work rolled back to the savepoint, the key completed with
 *   the error in the same transaction (the lock still held), and a retry gets the same 4xx;
 * - a 5xx or a crash → everything rolled back, the key free at once (Postgres drops a dead session's
 *   locks and transaction: no claim is left to time out).
 * The price: a connection and the lock are held for the whole request, and the claim is not visible as
 * a row while in flight.
 * @see https://stripe.com/blog/idempotency
 * @see https://brandur.org/idempotency-keys
 */
export async function withIdempotency (pool: pg.Pool, options: IdempotencyOptions, work: IdempotentWork): Promise<IdempotentResult> {
  const { scope, key, requestBody, retentionMs = DEFAULT_RETENTION_MS, lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS } = options
  const hash = requestHash(requestBody)
  const token = randomUUID()
  const outcome = await withTransaction(pool, async (client, rollbackInstead): Promise<Outcome> => {
    const { rows } = await client.query<{ held: boolean, claimed: boolean }>({ name: 'idempotency.claim-in-transaction', text: CLAIM_SQL, values: [scope, key, hash, token, retentionMs / 1000] })
    if (rows[0]?.held !== true) throw new IdempotencyRequestInProgressError()
    if (!rows[0].claimed) {
      // The key is taken and not expired: its answer, or a claim left in progress by the two-transaction variant.
      const row = await lockKeyRow(client, scope, key, lockTimeoutMs)
      if (row === undefined) throw new IdempotencyRequestInProgressError() // purged between the two statements: the client retries
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError()
      if (row.status === 'completed') {
        rollbackInstead()
        return { kind: 'replay', row }
      }
      if (!row.stale) throw new IdempotencyRequestInProgressError()
      await takeOverClaim(client, scope, key, token)
    }
    // Not withSavepoint: COMMIT releases it (a round trip fewer), and only a remembered 4xx goes back to it.
    await client.query('SAVEPOINT idempotent_work')
    let response: IdempotentResponse
    try {
      response = await work(client)
    } catch (err) {
      const answer = rememberedError(err)
      if (answer === undefined) throw err
      await client.query('ROLLBACK TO SAVEPOINT idempotent_work')
      await completeClaim(client, scope, key, token, answer, true)
      return { kind: 'remembered', error: err }
    }
    if (!await completeClaim(client, scope, key, token, response, false)) throw new IdempotencyRequestInProgressError()
    return { kind: 'done', response }
  })
  if (outcome.kind === 'replay') return replay(outcome.row)
  if (outcome.kind === 'remembered') throw outcome.error
  return { ...outcome.response, replayed: false }
}
