import type pg from 'pg'
import { IdempotencyRequestInProgressError, ReplayedError } from './errors.js'

/**
 * One row per (scope, key): the request's fingerprint, whether it is still running, and once it is
 * done the response to replay. `lock_token` names the attempt that owns an in-progress claim.
 */
export const IDEMPOTENCY_MIGRATION_SQL = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  lock_token uuid NOT NULL,
  locked_at timestamptz NOT NULL DEFAULT now(),
  response_status integer,
  response_body jsonb,
  response_is_error boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expires_idx ON idempotency_keys (expires_at);
`

/**
 * The arguments of a key's transaction-scoped advisory lock, for `$1` = scope and `$2` = key: the lock
 * withIdempotency's claim takes without waiting, and answerKeyUnlessAnswered waits for. The two-int
 * form keeps these locks apart from the single-bigint ones (the outbox relay's, the migrations'); a
 * hash collision between two keys in flight at the same moment costs a spurious 409, never a wrong answer.
 * @see https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 */
export const KEY_LOCK_ARGS = "7433, hashtext($1 || E'\\n' || $2)"

export interface StoredResponse { response_status: number, response_body: unknown, response_is_error: boolean }
export type KeyRow = StoredResponse & { request_hash: string, status: string, stale: boolean }
/** What the work answers: the status and body sent, and stored with the key for a retry. */
export interface IdempotentResponse { statusCode: number, body: unknown }
/** The answer sent: the work's, or (`replayed: true`) the one stored by an earlier request with the key. */
export interface IdempotentResult extends IdempotentResponse { replayed: boolean }

/** The key's row, locked until the transaction ends; `stale`: in progress for longer than lockTimeoutMs. */
export async function lockKeyRow (client: pg.PoolClient, scope: string, key: string, lockTimeoutMs: number): Promise<KeyRow | undefined> {
  const { rows } = await client.query<KeyRow>({
    name: 'idempotency.lock-key-row',
    text: `SELECT request_hash, status, response_status, response_body, response_is_error,
                  locked_at < now() - make_interval(secs => $3) AS stale
             FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`,
    values: [scope, key, lockTimeoutMs / 1000]
  })
  return rows[0]
}

/** An in-progress claim presumed crashed (held longer than lockTimeoutMs): ours now, under `token`. */
export async function takeOverClaim (client: pg.PoolClient, scope: string, key: string, token: string): Promise<void> {
  await client.query('UPDATE idempotency_keys SET lock_token = $3, locked_at = now() WHERE scope = $1 AND key = $2', [scope, key, token])
}

/** Mark an in-progress claim (ours: `token`) completed with its answer; false if it is not ours any more. */
export async function completeClaim (db: pg.Pool | pg.PoolClient, scope: string, key: string, token: string, answer: IdempotentResponse, isError: boolean): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'idempotency.complete-claim',
    text: `UPDATE idempotency_keys SET status = 'completed', response_status = $4, response_body = $5, response_is_error = $6, completed_at = now()
            WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'in_progress'`,
    values: [scope, key, token, answer.statusCode, JSON.stringify(answer.body ?? null), isError]
  })
  return rowCount === 1
}

/**
 * The answer to remember for an error thrown by the work: a 4xx (the request's own fault, deterministic);
 * undefined for anything else, whose key is released for a retry.
 */
export function rememberedError (err: unknown): { statusCode: number, body: { code: string, message: string } } | undefined {
  const { statusCode, code, message } = (err ?? {}) as { statusCode?: unknown, code?: unknown, message?: unknown }
  // 408 and 429 say "try again later", so they are not an answer to remember.
  const remember = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429 &&
    !(err instanceof IdempotencyRequestInProgressError)
  if (!remember) return undefined
  return { statusCode, body: { code: typeof code === 'string' ? code : 'BAD_REQUEST', message: typeof message === 'string' ? message : '' } }
}

/** The stored answer again: a success as a result with `replayed: true`, a 4xx thrown as a ReplayedError. */
export function replay (row: StoredResponse): IdempotentResult {
  if (row.response_is_error) {
    const { code, message } = row.response_body as { code: string, message: string }
    throw new ReplayedError({ statusCode: row.response_status, code, message })
  }
  return { statusCode: row.response_status, body: row.response_body, replayed: true }
}

/** Delete keys past their retention (housekeeping: expired keys already count as absent). */
export async function purgeExpiredIdempotencyKeys (pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM idempotency_keys WHERE expires_at <= now()')
  return rowCount ?? 0
}
