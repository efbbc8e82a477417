import type { FastifyBaseLogger } from 'fastify'
import { migrateDatabase } from '@lab/platform'
import { seedIfEmpty, type SeedResult, type SeedSizes } from './seed.js'

export interface PrepareOptions {
  connectionString: string
  applicationName: string
  /** Seed when the products table is empty; skip seeding entirely when absent. */
  seed?: SeedSizes
  log: FastifyBaseLogger
}

/**
 * Brings the database to the current schema (the numbered .sql files in ./migrations) and seeds it,
 * once, however many replicas boot together: migrateDatabase holds the schema's advisory lock over both.
 */
export async function prepareDatabase ({ seed, ...connection }: PrepareOptions): Promise<SeedResult | undefined> {
  const schema = { ...connection, lockName: 'lab.catalog.schema', migrations: new URL('./migrations/', import.meta.url) }
  return await migrateDatabase(schema, async (client) => seed === undefined ? undefined : await seedIfEmpty(client, seed, connection.log))
}
