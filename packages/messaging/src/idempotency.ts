import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { requestHash } from './canonical-json.js'
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError, ReplayedError } from './idempotency-errors.js'
import { withIdempotencyInOneTransaction } from './idempotency-one-transaction.js'
import { withoutIdempotency } from './idempotency-off.js'

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

export interface IdempotencyOptions {
  /** What the key is unique within, e.g. 'orders:create' or `transfers:${customerId}`. */
  scope: string
  key: string
  requestBody: unknown
  /** How long a key is remembered (default 24 h); after that the same key runs again. */
  retentionMs?: number
  /** After this long an in-progress claim is presumed crashed and may be taken over (default 30 s). */
  lockTimeoutMs?: number
  /**
   * Where the key is claimed: 'own-transaction' (default, below) or 'work-transaction'
   * (idempotency-one-transaction.ts: one transaction and one commit fewer per request, an advisory
   * lock instead of the committed claim).
   */
  claimIn?: 'own-transaction' | 'work-transaction'
  /** false: the key is ignored and the work runs every time (the `idempotency-key` pattern switch off; idempotency-off.ts). */
  enabled?: boolean
}

export interface IdempotentResponse { statusCode: number, body: unknown }
export interface IdempotentResult extends IdempotentResponse { replayed: boolean }

type Claim = { kind: 'claimed', token: string } | { kind: 'completed', row: StoredResponse }
export interface StoredResponse { response_status: number, response_body: unknown, response_is_error: boolean }

export const DAY_MS = 24 * 3600_000

/**
 * Run `work` at most once per (scope, key). The key is claimed in its own short committed transaction
 * (so a concurrent duplicate sees it at once and gets 409); `work` then runs in a transaction that also
 * stores the response and completes the key, so the effect and the remembered answer commit together.
 * A 4xx thrown by `work` is remembered too (a retry gets the same answer); a 5xx or unknown error
 * releases the claim so the client can retry.
 * @see https://stripe.com/blog/idempotency
 * @see https://brandur.org/idempotency-keys
 */
export async function withIdempotency (pool: pg.Pool, options: IdempotencyOptions, work: (client: pg.PoolClient) => Promise<IdempotentResponse>): Promise<IdempotentResult> {
  if (options.enabled === false) return await withoutIdempotency(pool, work)
  if (options.claimIn === 'work-transaction') return await withIdempotencyInOneTransaction(pool, options, work)
  const { scope, key } = options
  const claim = await claimKey(pool, options)
  if (claim.kind === 'completed') return replay(claim.row)

  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const response = await work(client)
    // Another attempt took the claim over (we ran past lockTimeoutMs): it owns the key now, our effect must not commit.
    if (!await completeClaim(client, scope, key, claim.token, response, false)) throw inProgress()
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

async function claimKey (pool: pg.Pool, { scope, key, requestBody, retentionMs = DAY_MS, lockTimeoutMs = 30_000 }: IdempotencyOptions): Promise<Claim> {
  const hash = requestHash(requestBody)
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    // Loop only if the row vanished between our INSERT and SELECT (its attempt failed and released it).
    for (;;) {
      await client.query('BEGIN')
      await client.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at <= now()', [scope, key])
      const token = randomUUID()
      const inserted = await client.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at)
         VALUES ($1, $2, $3, 'in_progress', $4, now() + make_interval(secs => $5))
         ON CONFLICT DO NOTHING`,
        [scope, key, hash, token, retentionMs / 1000]
      )
      if (inserted.rowCount === 1) {
        await client.query('COMMIT')
        return { kind: 'claimed', token }
      }
      const row = await lockKeyRow(client, scope, key, lockTimeoutMs)
      if (row === undefined) {
        await client.query('ROLLBACK')
        continue
      }
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError()
      if (row.status === 'completed') {
        await client.query('COMMIT')
        return { kind: 'completed', row }
      }
      if (!row.stale) throw inProgress()
      // The first attempt has held the key for longer than lockTimeoutMs: presume it crashed and take over.
      await client.query('UPDATE idempotency_keys SET lock_token = $3, locked_at = now() WHERE scope = $1 AND key = $2', [scope, key, token])
      await client.query('COMMIT')
      return { kind: 'claimed', token }
    }
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    throw err
  } finally {
    client.release(broken)
  }
}

export type KeyRow = StoredResponse & { request_hash: string, status: string, stale: boolean }

/** The key's row, locked until the transaction ends; `stale`: in progress for longer than lockTimeoutMs. */
export async function lockKeyRow (client: pg.PoolClient, scope: string, key: string, lockTimeoutMs: number): Promise<KeyRow | undefined> {
  const { rows } = await client.query<KeyRow>({
    name: 'messaging.lock-key-row',
    text: `SELECT request_hash, status, response_status, response_body, response_is_error,
                  locked_at < now() - make_interval(secs => $3) AS stale
             FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`,
    values: [scope, key, lockTimeoutMs / 1000]
  })
  return rows[0]
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

/** Mark an in-progress claim (ours: `token`) completed with its answer; false if it is not ours any more. */
export async function completeClaim (db: pg.Pool | pg.PoolClient, scope: string, key: string, token: string, answer: { statusCode: number, body: unknown }, isError: boolean): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'messaging.complete-claim',
    text: `UPDATE idempotency_keys SET status = 'completed', response_status = $4, response_body = $5, response_is_error = $6, completed_at = now()
            WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'in_progress'`,
    values: [scope, key, token, answer.statusCode, JSON.stringify(answer.body ?? null), isError]
  })
  return rowCount === 1
}

/** 4xx: remember it. Anything else: release the key for a retry. */
async function settleFailedClaim (pool: pg.Pool | pg.PoolClient, scope: string, key: string, token: string, err: unknown): Promise<void> {
  const answer = rememberedError(err)
  try {
    if (answer !== undefined) {
      await completeClaim(pool, scope, key, token, answer, true)
    } else {
      await pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = \'in_progress\'', [scope, key, token])
    }
  } catch {
    // The database is unreachable: the claim stays in progress and can be taken over after lockTimeoutMs.
  }
}

/** 409 with `retry-after: 1`: the first attempt is usually done within a second. */
export function inProgress (): Error {
  return Object.assign(new IdempotencyRequestInProgressError(), { headers: { 'retry-after': '1' } })
}

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
