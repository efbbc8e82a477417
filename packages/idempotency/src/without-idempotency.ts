import type pg from 'pg'
import { withTransaction } from '@lab/platform'
import type { IdempotentResult } from './key-table.js'
import type { IdempotencyOptions, IdempotentWork } from './with-idempotency.js'

/**
 * The work without its Idempotency-Key: what a service runs while the lab's `idempotency-key` pattern
 * switch is off (picked where it wires its plugins, in place of withIdempotency). No claim, nothing
 * remembered, so every retry of a request runs again. Its own transaction still, so one attempt is all
 * or nothing; it is the retries that are not deduplicated. The options are taken, and ignored, so the
 * two are interchangeable (RunIdempotently).
 */
export async function withoutIdempotency (pool: pg.Pool, _options: IdempotencyOptions, work: IdempotentWork): Promise<IdempotentResult> {
  const response = await withTransaction(pool, async (client) => await work(client))
  return { ...response, replayed: false }
}
