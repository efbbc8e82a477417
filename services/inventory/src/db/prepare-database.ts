import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { applyMigrations } from './migrate.js'
import { seedItemsIfEmpty, type SeedResult, type SeedSizes } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  seed: SeedSizes
  log: FastifyBaseLogger
}

/** Any constant works, as long as every inventory instance uses the same one. */
const SCHEMA_LOCK = "hashtext('lab.inventory.schema')"

/**
 * Brings the database to the current schema and seeds it, once, however many instances boot together:
 * each takes the same session-level advisory lock first, so a second one waits, then finds nothing to do.
 * Its own connection, not the app's pool: the advisory lock belongs to a session.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function prepareDatabase (opts: PrepareOptions): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName })
  await client.connect()
  try {
    await client.query('SET statement_timeout = 0')
    await client.query(`SELECT pg_advisory_lock(${SCHEMA_LOCK})`)
    try {
      const applied = await applyMigrations(client, opts.log)
      opts.log.info({ applied }, 'schema up to date')
      return await seedItemsIfEmpty(client, opts.seed, opts.log)
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK})`)
    }
  } finally {
    await client.end()
  }
}
