import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { IDEMPOTENCY_MIGRATION_SQL, MESSAGING_MIGRATION_SQL } from '@lab/messaging'
import { applyMigrations } from './migrate.js'
import { seedWalletsIfEmpty, type WalletSeed } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  seed: WalletSeed
  log: FastifyBaseLogger
}

/** Any constant works, as long as every payments replica uses the same one. */
const SCHEMA_LOCK = "hashtext('lab.payments.schema')"

/**
 * Brings the database to the current schema and seeds the wallets, once, however many replicas boot
 * together: each takes the same session-level advisory lock first, so the second waits for the first
 * and then finds nothing left to do. The shared tables of @lab/messaging (outbox, processed_messages,
 * idempotency_keys) are created with `IF NOT EXISTS` on every boot, so they follow that package.
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
      await client.query(IDEMPOTENCY_MIGRATION_SQL)
      opts.log.info({ applied }, 'schema up to date')
      await seedWalletsIfEmpty(client, opts.seed, opts.log)
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${SCHEMA_LOCK})`)
    }
  } finally {
    await client.end()
  }
}
