import { readFile } from 'node:fs/promises'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { IDEMPOTENCY_MIGRATION_SQL, MESSAGING_MIGRATION_SQL } from '@lab/messaging'

export interface Migration {
  version: number
  name: string
  sql: () => Promise<string>
}

const fromFile = (name: string) => async () => await readFile(new URL(`./migrations/${name}`, import.meta.url), 'utf8')

/**
 * Orders' schema, in order: its own table (a .sql file next to this module), then the tables of the
 * shared machinery it uses: the outbox and the consumer's processed-message inbox, and the
 * Idempotency-Key records. Those two come from @lab/messaging so every service has the same tables.
 */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: '001_orders.sql', sql: fromFile('001_orders.sql') },
  { version: 2, name: '002_messaging (outbox, processed_messages)', sql: async () => MESSAGING_MIGRATION_SQL },
  { version: 3, name: '003_idempotency_keys', sql: async () => IDEMPOTENCY_MIGRATION_SQL }
]

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own transaction with its
 * bookkeeping row, so a failure leaves the schema at the last good version. The caller holds the
 * advisory lock (prepare-database.ts), so two replicas booting together never apply one twice.
 */
export async function applyMigrations (client: pg.ClientBase, log: FastifyBaseLogger, migrations: Migration[] = MIGRATIONS): Promise<number> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations')
  const applied = new Set(rows.map((r) => r.version))
  let count = 0
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue
    const sql = await migration.sql()
    await client.query('BEGIN')
    try {
      await client.query(sql)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK')
      throw new Error(`migration ${migration.name} failed`, { cause: err })
    }
    count++
    log.info({ migration: migration.name }, 'migration applied')
  }
  return count
}
