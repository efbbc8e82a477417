import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { applyMigrations } from './migrate.js'

/** Any constant works, as long as every orders replica uses the same one. */
const SCHEMA_LOCK = "hashtext('lab.orders.schema')"

/**
 * Brings the database to the current schema once, however many replicas boot together: each takes the
 * same session-level advisory lock first, so the second waits for the first, then finds nothing to do.
 * Its own connection, not the app's pool: the advisory lock belongs to a session.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function prepareDatabase (opts: { connectionString: string, applicationName: string, log: FastifyBaseLogger }): Promise<void> {
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName })
  await client.connect()
  try {
    await client.query(`SELECT pg_advisory_lock(${SCHEMA_LOCK})`)
    try {
      const applied = await applyMigrations(client, opts.log)
      opts.log.info({ applied }, 'schema up to date')
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK})`)
    }
  } finally {
    await client.end()
  }
}
