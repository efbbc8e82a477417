import { readdir, readFile } from 'node:fs/promises'
import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

const FILE_NAME = /^(\d{3})_[\w-]+\.sql$/

export interface Migration {
  version: number
  name: string
  sql: string
}

export interface MigrateOptions {
  connectionString: string
  applicationName: string
  /**
   * Names the session-level advisory lock (`hashtext(lockName)`). Any constant works, as long as every
   * replica of one service uses the same one, e.g. `lab.catalog.schema`.
   */
  lockName: string
  /** A folder of numbered `.sql` files (`001_name.sql`), or the list itself. */
  migrations: URL | readonly Migration[]
  log: FastifyBaseLogger
}

/** The numbered `.sql` files (`001_name.sql`) in `dir`, in order. */
export async function readMigrations (dir: URL): Promise<Migration[]> {
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
 * advisory lock (migrateDatabase), so two replicas booting together never apply one twice.
 */
export async function applyMigrations (client: pg.ClientBase, migrations: readonly Migration[], log: FastifyBaseLogger): Promise<number> {
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

/** How often a replica asks again for the schema lock while another holds it. */
const LOCK_POLL_MS = 100

/**
 * Takes the session-level advisory lock by asking again every 100 ms (`pg_try_advisory_lock`) rather
 * than waiting inside one `pg_advisory_lock` statement. A statement that waits holds its snapshot for
 * the whole wait, and an open snapshot holds back VACUUM's horizon in that database: the seed's
 * `VACUUM` could then not mark the freshly inserted pages all-visible, and the catalog's product page
 * (index-only scans over reviews) took 70–400 ms instead of 6–8 ms until autovacuum came by (measured in
 * Docker mode, 2026-12-07, both replicas booting together). Between two tries this session runs nothing.
 */
async function takeLockPolling (client: pg.Client, lockName: string): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockName])
    if (rows[0]?.locked === true) return
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
  }
}

/**
 * Brings a service's database to the current schema once, however many replicas boot together: every
 * replica takes the same session-level advisory lock first, so the second one waits for the first to
 * finish, then finds nothing left to do. `afterMigrations` runs next, on the same connection and still
 * under the lock: a seed, or the idempotent SQL of a shared package.
 *
 * It uses its own connection, not the app's pool: the advisory lock belongs to a session, and a seed
 * runs statements longer than the pool's statement timeout.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function migrateDatabase (opts: MigrateOptions): Promise<void>
export async function migrateDatabase<T> (opts: MigrateOptions, afterMigrations: (client: pg.ClientBase) => Promise<T>): Promise<T>
export async function migrateDatabase<T> (opts: MigrateOptions, afterMigrations?: (client: pg.ClientBase) => Promise<T>): Promise<T | undefined> {
  const migrations = opts.migrations instanceof URL ? await readMigrations(opts.migrations) : opts.migrations
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName })
  await client.connect()
  try {
    await client.query('SET statement_timeout = 0')
    // Whatever the server's setting (the test cluster runs synchronous_commit=off): with the schema's
    // and the seed's transactions committed asynchronously, the seed's VACUUM marked no page
    // all-visible (measured: 0 of 26 pages of reviews, 26 of 26 with this), so the seed's promise of
    // index-only scans from the first request held only where commits were synchronous.
    await client.query('SET synchronous_commit = on')
    const waitStarted = performance.now()
    await takeLockPolling(client, opts.lockName)
    opts.log.debug({ waitedMs: Math.round(performance.now() - waitStarted) }, 'schema lock taken')
    try {
      const applied = await applyMigrations(client, migrations, opts.log)
      opts.log.info({ applied }, 'schema up to date')
      return await afterMigrations?.(client)
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [opts.lockName])
    }
  } finally {
    await client.end()
  }
}
