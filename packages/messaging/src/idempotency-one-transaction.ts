import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { requestHash } from './canonical-json.js'
import { IdempotencyKeyReusedError } from './idempotency-errors.js'
import {
  DAY_MS, completeClaim, inProgress, lockKeyRow, rememberedError, replay,
  type IdempotencyOptions, type IdempotentResponse, type IdempotentResult
} from './idempotency.js'

/**
 * One statement: take the key's transaction-scoped advisory lock without waiting, and only if we got
 * it, claim the key (a fresh row, or an expired one taken over). The lock is what a concurrent
 * duplicate runs into (409 at once, as the committed claim does in the two-transaction mode); the row
 * stays invisible to others until COMMIT. The two-int form keeps these locks apart from the
 * single-bigint ones (the outbox relay's, the migrations'); a hash collision between two keys in flight
 * at the same moment costs a spurious 409, never a wrong answer.
 * @see https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 */
const CLAIM_SQL = `
WITH lock AS (
  SELECT pg_try_advisory_xact_lock(7433, hashtext($1 || E'\\n' || $2)) AS held
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

/**
 * withIdempotency with the claim inside the work's own transaction (`claimIn: 'work-transaction'`):
 * BEGIN; lock + claim; SAVEPOINT; work; complete the key; COMMIT. One commit per request instead of
 * two, and three round trips fewer; the promises are the same: the same key and body again → the
 * stored answer; another body → 422; a duplicate while the first runs → 409; a 4xx remembered (the
 * work rolled back to the savepoint, the key completed with the error, in the same transaction, the
 * lock still held); a 5xx or a crash → everything rolled back, the key free at once (Postgres drops a
 * dead session's locks and transaction: no claim is left to time out).
 * The price: a connection and the lock are held for the whole request (the work here holds its
 * transaction open anyway), and the claim is not visible as a row while in flight.
 */
export async function withIdempotencyInOneTransaction (pool: pg.Pool, options: IdempotencyOptions, work: (client: pg.PoolClient) => Promise<IdempotentResponse>): Promise<IdempotentResult> {
  const { scope, key, requestBody, retentionMs = DAY_MS, lockTimeoutMs = 30_000 } = options
  const hash = requestHash(requestBody)
  const token = randomUUID()
  const client = await pool.connect()
  let broken: Error | undefined
  let open = false
  try {
    await client.query('BEGIN')
    open = true
    const { rows } = await client.query<{ held: boolean, claimed: boolean }>({ name: 'messaging.claim-in-transaction', text: CLAIM_SQL, values: [scope, key, hash, token, retentionMs / 1000] })
    if (rows[0]?.held !== true) throw inProgress()
    if (!rows[0].claimed) {
      // The key is taken and not expired: its answer, or a claim left by the two-transaction mode.
      const row = await lockKeyRow(client, scope, key, lockTimeoutMs)
      if (row === undefined) throw inProgress() // purged between the two statements: the client retries
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError()
      if (row.status === 'completed') {
        await client.query('ROLLBACK')
        open = false
        return replay(row)
      }
      if (!row.stale) throw inProgress()
      await client.query('UPDATE idempotency_keys SET lock_token = $3, locked_at = now() WHERE scope = $1 AND key = $2', [scope, key, token])
    }
    await client.query('SAVEPOINT idempotent_work')
    let response: IdempotentResponse
    try {
      response = await work(client)
    } catch (err) {
      const answer = rememberedError(err)
      if (answer === undefined) throw err
      await client.query('ROLLBACK TO SAVEPOINT idempotent_work')
      await completeClaim(client, scope, key, token, answer, true)
      await client.query('COMMIT')
      open = false
      throw err
    }
    if (!await completeClaim(client, scope, key, token, response, false)) throw inProgress()
    await client.query('COMMIT')
    open = false
    return { ...response, replayed: false }
  } catch (err) {
    if (open) await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    throw err
  } finally {
    client.release(broken)
  }
}
