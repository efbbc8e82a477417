import type { FastifyBaseLogger } from 'fastify'
import { migrateDatabase } from '@lab/platform'
import { MESSAGING_MIGRATION_SQL } from '@lab/messaging'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  log: FastifyBaseLogger
}

/**
 * Brings the database to the current schema once, however many replicas boot together (migrateDatabase
 * holds the schema's advisory lock). Our own tables come from the numbered migrations in ./migrations;
 * the consumer's inbox (processed_messages) from @lab/messaging, whose SQL is idempotent (IF NOT EXISTS)
 * and run on every boot, so the service always has the tables of the package version it runs with.
 */
export async function prepareDatabase (opts: PrepareOptions): Promise<void> {
  const schema = { ...opts, lockName: 'lab.notifications.schema', migrations: new URL('./migrations/', import.meta.url) }
  await migrateDatabase(schema, async (client) => {
    await client.query(MESSAGING_MIGRATION_SQL)
  })
}
