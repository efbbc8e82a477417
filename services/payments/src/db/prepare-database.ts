import type { FastifyBaseLogger } from 'fastify'
import { migrateDatabase } from '@lab/platform'
import { MESSAGING_MIGRATION_SQL } from '@lab/messaging'
import { IDEMPOTENCY_MIGRATION_SQL } from '@lab/idempotency'
import { seedWalletsIfEmpty, type WalletSeed } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  seed: WalletSeed
  log: FastifyBaseLogger
}

/**
 * Brings the database to the current schema (the numbered .sql files in ./migrations) and seeds the
 * wallets, once, however many replicas boot together: migrateDatabase holds the schema's advisory lock
 * over all of it. The shared tables of @lab/messaging (outbox, processed_messages) and of
 * @lab/idempotency (idempotency_keys) are created with `IF NOT EXISTS` on every boot, so they follow
 * those packages.
 */
export async function prepareDatabase ({ seed, ...connection }: PrepareOptions): Promise<void> {
  const schema = { ...connection, lockName: 'lab.payments.schema', migrations: new URL('./migrations/', import.meta.url) }
  await migrateDatabase(schema, async (client) => {
    await client.query(MESSAGING_MIGRATION_SQL)
    await client.query(IDEMPOTENCY_MIGRATION_SQL)
    await seedWalletsIfEmpty(client, seed, connection.log)
  })
}
