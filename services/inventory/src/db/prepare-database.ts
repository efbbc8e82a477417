import type { FastifyBaseLogger } from 'fastify'
import { migrateDatabase } from '@lab/platform'
import { seedItemsIfEmpty, type SeedResult, type SeedSizes } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  seed: SeedSizes
  log: FastifyBaseLogger
}

/**
 * Brings the database to the current schema (the numbered .sql files in ./migrations) and stocks it,
 * once, however many instances boot together: migrateDatabase holds the schema's advisory lock over both.
 */
export async function prepareDatabase ({ seed, ...connection }: PrepareOptions): Promise<SeedResult> {
  const schema = { ...connection, lockName: 'lab.inventory.schema', migrations: new URL('./migrations/', import.meta.url) }
  return await migrateDatabase(schema, async (client) => await seedItemsIfEmpty(client, seed, connection.log))
}
