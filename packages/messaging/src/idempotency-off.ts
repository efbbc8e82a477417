import type pg from 'pg'
import type { IdempotentResponse, IdempotentResult } from './idempotency.js'

/**
 * The work without its Idempotency-Key (`IdempotencyOptions.enabled: false`, a lab pattern switch
 * turned off): no claim, nothing remembered, so every retry of a request runs again. Its own
 * transaction still, so one attempt is all or nothing; it is the retries that are not deduplicated.
 */
export async function withoutIdempotency (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<IdempotentResponse>): Promise<IdempotentResult> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const response = await work(client)
    await client.query('COMMIT')
    return { ...response, replayed: false }
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    throw err
  } finally {
    client.release(broken)
  }
}
