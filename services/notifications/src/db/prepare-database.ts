import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { MESSAGING_MIGRATION_SQL } from '@lab/messaging'
import { applyMigrations } from './migrate.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  log: FastifyBaseLogger
}

/** Any constant works, as long as every notifications replica uses the same one. */
const SCHEMA_LOCK = "hashtext('lab.notifications.schema')"

/**
 * Brings the database to the current schema once, however many replicas boot together: every replica
 * takes the same session-level advisory lock first, so the second waits for the first, then finds
 * nothing left to do. Our own tables come from the numbered migrations; the consumer's inbox
 * (processed_messages) from @lab/messaging, whose SQL is idempotent (IF NOT EXISTS) and run on every
 * boot, so the service always has the tables of the package version it runs with.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function prepareDatabase (opts: PrepareOptions): Promise<void> {
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName })
  await client.connect()
  try {
    await client.query(`SELECT pg_advisory_lock(${SCHEMA_LOCK})`)
    try {
      const applied = await applyMigrations(client, opts.log)
      await client.query(MESSAGING_MIGRATION_SQL)
      opts.log.info({ applied }, 'schema up to date')
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK})`)
    }
  } finally {
    await client.end()
  }
}
