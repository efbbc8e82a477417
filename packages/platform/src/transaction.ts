import type pg from 'pg'

/** Called by the work to end with ROLLBACK although it returned: an expected "no" (out of stock, a duplicate). */
export type RollbackInstead = () => void

export interface TransactionOptions {
  /** `BEGIN ISOLATION LEVEL …`; PostgreSQL's default (read committed) when absent. */
  isolation?: 'read committed' | 'repeatable read' | 'serializable'
  /** `BEGIN … READ ONLY`: a write fails instead of committing. */
  readOnly?: boolean
  /** `SET LOCAL lock_timeout` right after BEGIN, in whole ms: a lock waited on longer fails with 55P03. */
  lockTimeoutMs?: number
}

/**
 * Runs `work` in one transaction on one connection of `pool`: BEGIN, `work`, COMMIT (ROLLBACK if it
 * called `rollbackInstead()`), and answers what `work` returned. One failure policy for the whole lab:
 * - `work` (or BEGIN) throws: ROLLBACK, and the original error is rethrown, never the ROLLBACK's;
 * - that ROLLBACK fails as well: the connection is destroyed (`release(err)`) instead of going back to
 *   the pool, since it may still hold an open transaction and its locks, or a broken socket, which the
 *   next request to check it out would inherit;
 * - COMMIT (or the asked-for ROLLBACK) fails: that error is thrown and the connection destroyed too,
 *   for the same reason: whether its transaction ended is not known.
 * @see https://node-postgres.com/features/transactions
 * @see https://node-postgres.com/apis/pool#releasing-clients
 */
export async function withTransaction<T> (pool: pg.Pool, work: (client: pg.PoolClient, rollbackInstead: RollbackInstead) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const opening = openingStatements(options)
  const client = await pool.connect()
  let rollback = false
  let value: T
  try {
    for (const statement of opening) await client.query(statement)
    value = await work(client, () => { rollback = true })
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (rollbackErr) {
      destroy(client, rollbackErr)
      throw err
    }
    client.release()
    throw err
  }
  try {
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT')
  } catch (err) {
    destroy(client, err)
    throw err
  }
  client.release()
  return value
}

/**
 * Runs `work` inside `SAVEPOINT name` of the transaction open on `client`: RELEASE SAVEPOINT when it
 * returns (after ROLLBACK TO SAVEPOINT if it called `rollbackInstead()`). If it throws: ROLLBACK TO
 * SAVEPOINT and rethrow, so the enclosing transaction stays usable (a failed statement would abort all
 * of it). Should that ROLLBACK TO fail, the original error is still the one thrown: the enclosing
 * withTransaction then rolls back, or destroys the connection.
 * @see https://www.postgresql.org/docs/current/sql-savepoint.html
 */
export async function withSavepoint<T> (client: pg.ClientBase, name: string, work: (rollbackInstead: RollbackInstead) => Promise<T>): Promise<T> {
  // The name is written into the SQL: a plain identifier only.
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`savepoint name must be a lower-case identifier, got ${JSON.stringify(name)}`)
  await client.query(`SAVEPOINT ${name}`)
  try {
    let rollback = false
    const value = await work(() => { rollback = true })
    if (rollback) await client.query(`ROLLBACK TO SAVEPOINT ${name}`)
    await client.query(`RELEASE SAVEPOINT ${name}`)
    return value
  } catch (err) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {})
    throw err
  }
}

/** BEGIN with its characteristics, then the SET LOCALs; checked before a connection is taken. */
function openingStatements ({ isolation, readOnly = false, lockTimeoutMs }: TransactionOptions): string[] {
  const begin = ['BEGIN', isolation === undefined ? '' : ` ISOLATION LEVEL ${isolation.toUpperCase()}`, readOnly ? ' READ ONLY' : ''].join('')
  if (lockTimeoutMs === undefined) return [begin]
  // Written into the SQL (SET takes no parameters): a whole, non-negative number only.
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 0) throw new RangeError(`lockTimeoutMs must be a whole number of ms, got ${lockTimeoutMs}`)
  return [begin, `SET LOCAL lock_timeout = ${lockTimeoutMs}`]
}

/** `release(err)` makes the pool close the connection rather than hand it out again. */
function destroy (client: pg.PoolClient, err: unknown): void {
  client.release(err instanceof Error ? err : true)
}
