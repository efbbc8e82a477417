import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { requestHash } from './request-hash.js'
import { KEY_LOCK_ARGS, rememberedError } from './key-table.js'
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_RETENTION_MS, type IdempotencyOptions } from './with-idempotency.js'

/**
 * For a service that does part of a request's work BEFORE withIdempotency, outside any transaction (a
 * remote call made first, so that no connection or lock is held while it answers: orders reserves
 * stock at inventory, then stores the order under the key). Such a service needs three things the
 * key's transaction cannot give it: to know, before the remote call, that the key is already answered
 * (so a retry calls nothing again); when it gives up, to close the key so that no later attempt builds
 * on what it undoes; and when it was refused the key (409: another attempt held it), to learn how that
 * attempt left the key, since the remote call's effect may be its to undo.
 */

/**
 * Whether the key has an answer that has not expired: a request with it will be answered from that
 * answer (its replay, or 422 for another body) and run nothing. One indexed read, no lock, no
 * transaction. `false` decides nothing: withIdempotency claims the key, or finds it answered after all.
 */
export async function isKeyAnswered (db: Pick<pg.Pool | pg.PoolClient, 'query'>, { scope, key }: Pick<IdempotencyOptions, 'scope' | 'key'>): Promise<boolean> {
  const { rows } = await db.query<{ answered: boolean }>({
    name: 'idempotency.is-key-answered',
    text: `SELECT EXISTS (SELECT 1 FROM idempotency_keys
                          WHERE scope = $1 AND key = $2 AND status = 'completed' AND expires_at > now()) AS answered`,
    values: [scope, key]
  })
  return rows[0]?.answered === true
}

/** What the key holds once answerKeyUnlessAnswered returns (in the caller's transaction). */
export type KeyAnswerOutcome =
  /** `error` is the key's answer now, committed with the caller's transaction. */
  | 'stored'
  /** The key had an answer already (a success or a 4xx); it is left as it was. */
  | 'answered'
  /** Another attempt holds a live claim on the key (the comparison variant's visible row): it decides. */
  | 'in_progress'

const STORE_ANSWER_SQL = `
INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, response_status, response_body, response_is_error, completed_at, expires_at)
VALUES ($1, $2, $3, 'completed', $4, $5, $6, true, now(), now() + make_interval(secs => $7))
ON CONFLICT (scope, key) DO UPDATE
  SET request_hash = EXCLUDED.request_hash, status = 'completed', lock_token = EXCLUDED.lock_token, locked_at = now(),
      response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body, response_is_error = true,
      created_at = now(), completed_at = now(), expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= now()
     OR (idempotency_keys.status = 'in_progress' AND idempotency_keys.locked_at < now() - make_interval(secs => $8))
RETURNING 1`

/**
 * Closes a key from outside its work: in the caller's open transaction, WAITS for the key's advisory
 * lock (the one withIdempotency holds while its work runs, so an attempt storing its effect right now
 * finishes first), then stores `error`, a 4xx, as the key's answer unless the key has one already.
 * From the caller's COMMIT on, every request with the key gets that 4xx replayed and runs nothing: no
 * attempt can still commit an effect built on what the caller is about to undo. An expired answer, or
 * a claim in progress for longer than lockTimeoutMs (presumed crashed), is overwritten.
 * Wait for the lock only in a short transaction: set a lock_timeout on it (withTransaction's
 * lockTimeoutMs), since the attempt holding the key may be slow.
 */
export async function answerKeyUnlessAnswered (client: pg.PoolClient, options: IdempotencyOptions, error: unknown): Promise<KeyAnswerOutcome> {
  const { scope, key, requestBody, retentionMs = DEFAULT_RETENTION_MS, lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS } = options
  const answer = rememberedError(error)
  if (answer === undefined) throw new TypeError('answerKeyUnlessAnswered stores a 4xx answer only (one a retry gets again)')
  await waitForKeyLock(client, scope, key)
  const stored = await client.query({
    name: 'idempotency.store-answer',
    text: STORE_ANSWER_SQL,
    values: [scope, key, requestHash(requestBody), randomUUID(), answer.statusCode, JSON.stringify(answer.body), retentionMs / 1000, lockTimeoutMs / 1000]
  })
  if (stored.rowCount === 1) return 'stored'
  const { rows } = await client.query<{ status: string }>('SELECT status FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key])
  // No row: a claim of the comparison variant deleted right now (its attempt failed). Treated as in progress: the caller undoes nothing.
  return rows[0]?.status === 'completed' ? 'answered' : 'in_progress'
}

/** What the key holds once readKeyAfterItsLock returns (in the caller's transaction, until it ends). */
export type KeyState =
  /** An answer that has not expired (a success or a 4xx): every request with the key gets it. */
  | 'answered'
  /** A claim of the comparison variant's, visible as a row: its attempt decides. */
  | 'in_progress'
  /** No answer: the next request with the key runs its work. */
  | 'free'

/**
 * answerKeyUnlessAnswered without the answer: in the caller's open transaction, WAITS for the key's
 * advisory lock (an attempt storing its effect right now finishes first), then says what the key
 * holds, and stores nothing. For an attempt that was refused the key (409, another one held it) with
 * something of its own to undo: it undoes it only if the key was answered by the other, and leaves it
 * to the client's retry when the key is still free. Until the caller's transaction ends no attempt
 * can claim the key, so the state read stays true while the caller records what follows from it.
 * The same lock_timeout advice as answerKeyUnlessAnswered's.
 */
export async function readKeyAfterItsLock (client: pg.PoolClient, { scope, key }: Pick<IdempotencyOptions, 'scope' | 'key'>): Promise<KeyState> {
  await waitForKeyLock(client, scope, key)
  const { rows } = await client.query<{ status: string, live: boolean }>({
    name: 'idempotency.read-key-state',
    text: 'SELECT status, expires_at > now() AS live FROM idempotency_keys WHERE scope = $1 AND key = $2',
    values: [scope, key]
  })
  const row = rows[0]
  if (row === undefined || !row.live) return 'free'
  return row.status === 'completed' ? 'answered' : 'in_progress'
}

/** Waits, in the caller's transaction, for the key's advisory lock (withIdempotency's, KEY_LOCK_ARGS); held until that transaction ends. */
async function waitForKeyLock (client: pg.PoolClient, scope: string, key: string): Promise<void> {
  await client.query({ name: 'idempotency.wait-for-key-lock', text: `SELECT pg_advisory_xact_lock(${KEY_LOCK_ARGS})`, values: [scope, key] })
}
