import type { FastifyBaseLogger } from 'fastify'
import { migrateDatabase, readMigrations } from '@lab/platform'
import { MESSAGING_MIGRATION_SQL } from '@lab/messaging'
import { IDEMPOTENCY_MIGRATION_SQL } from '@lab/idempotency'

/**
 * Orders' schema, in order: its own table (the numbered .sql files in ./migrations), then the tables of
 * the shared machinery it uses: the outbox and the consumer's processed-message inbox (@lab/messaging),
 * and the Idempotency-Key records (@lab/idempotency), so every service has the same tables.
 */
async function ordersMigrations () {
  return [
    ...await readMigrations(new URL('./migrations/', import.meta.url)),
    { version: 2, name: '002_messaging (outbox, processed_messages)', sql: MESSAGING_MIGRATION_SQL },
    { version: 3, name: '003_idempotency_keys', sql: IDEMPOTENCY_MIGRATION_SQL }
  ]
}

/**
 * Brings the database to the current schema once, however many replicas boot together (migrateDatabase
 * holds the schema's advisory lock).
 */
export async function prepareDatabase (opts: { connectionString: string, applicationName: string, log: FastifyBaseLogger }): Promise<void> {
  await migrateDatabase({ ...opts, lockName: 'lab.orders.schema', migrations: await ordersMigrations() })
}
