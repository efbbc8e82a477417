import { readdir, readFile } from 'node:fs/promises'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)
const FILE_NAME = /^(\d{3})_[\w-]+\.sql$/

export interface Migration {
  version: number
  name: string
  sql: string
}

/** The numbered `.sql` files next to this module, in order. */
export async function readMigrations (dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => FILE_NAME.test(name)).sort()
  return await Promise.all(names.map(async (name) => ({
    version: Number(FILE_NAME.exec(name)?.[1]),
    name,
    sql: await readFile(new URL(name, dir), 'utf8')
  })))
}

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own transaction with its
 * bookkeeping row, so a failure leaves the schema at the last good version. The caller holds the
 * advisory lock (prepare-database.ts), so two replicas booting together never apply one twice.
 */
export async function applyMigrations (client: pg.ClientBase, log: FastifyBaseLogger): Promise<number> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations')
  const applied = new Set(rows.map((r) => r.version))
  let count = 0
  for (const migration of await readMigrations()) {
    if (applied.has(migration.version)) continue
    const started = performance.now()
    await client.query('BEGIN')
    try {
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK')
      throw new Error(`migration ${migration.name} failed`, { cause: err })
    }
    count++
    log.info({ migration: migration.name, ms: Math.round(performance.now() - started) }, 'migration applied')
  }
  return count
}
