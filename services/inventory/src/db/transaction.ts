import type pg from 'pg'

/**
 * Runs `work` in one transaction on one pooled connection: COMMIT when it returns, ROLLBACK when it
 * throws or when it called `rollbackInstead()` (an expected "no": out of stock, a duplicate id), so a
 * strategy never leaves half of its change behind. A connection whose ROLLBACK failed is discarded.
 */
export async function withTransaction<T> (pool: pg.Pool, work: (client: pg.PoolClient, rollbackInstead: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let discard: Error | undefined
  try {
    await client.query('BEGIN')
    let rollback = false
    const value = await work(client, () => { rollback = true })
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT')
    return value
  } catch (err) {
    // After a failed COMMIT there is no transaction left: ROLLBACK then only warns.
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => { discard = rollbackErr as Error })
    throw err
  } finally {
    client.release(discard)
  }
}
