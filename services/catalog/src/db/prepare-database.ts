import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { applyMigrations } from './migrate.js'
import { seedIfEmpty, type SeedResult, type SeedSizes } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  /** Seed when the products table is empty; skip seeding entirely when absent. */
  seed?: SeedSizes
  log: FastifyBaseLogger
}

/** Any constant works, as long as every catalog replica uses the same one. */
const SCHEMA_LOCK = "hashtext('lab.catalog.schema')"

/**
 * Brings the database to the current schema and seeds it, once, however many replicas boot together:
 * every replica takes the same session-level advisory lock first, so the second one waits for the first
 * to finish, then finds nothing left to do.
 *
 * It uses its own connection, not the app's pool: the advisory lock belongs to a session, and the seed
 * runs statements longer than the pool's statement timeout.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function prepareDatabase (opts: PrepareOptions): Promise<SeedResult | undefined> {
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName })
  await client.connect()
  try {
    await client.query('SET statement_timeout = 0')
    const waitStarted = performance.now()
    await client.query(`SELECT pg_advisory_lock(${SCHEMA_LOCK})`)
    opts.log.debug({ waitedMs: Math.round(performance.now() - waitStarted) }, 'schema lock taken')
    try {
      const applied = await applyMigrations(client, opts.log)
      opts.log.info({ applied }, 'schema up to date')
      return opts.seed === undefined ? undefined : await seedIfEmpty(client, opts.seed, opts.log)
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK})`)
    }
  } finally {
    await client.end()
  }
}
