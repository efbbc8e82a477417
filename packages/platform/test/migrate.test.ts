import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql, type TestDatabase } from '@lab/testkit'
import { migrateDatabase } from '../src/index.js'

const log = pino({ level: 'silent' })
let dir: string
const databases: TestDatabase[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrations-'))
  await writeFile(join(dir, '002_add_note.sql'), 'ALTER TABLE things ADD COLUMN note text')
  await writeFile(join(dir, '001_things.sql'), 'CREATE TABLE things (id int PRIMARY KEY)')
  await writeFile(join(dir, 'README.md'), 'not a migration')
})

afterAll(async () => {
  await Promise.all(databases.map(async (d) => await d.drop()))
  await rm(dir, { recursive: true, force: true })
})

async function freshDatabase (): Promise<TestDatabase> {
  const db = await createDatabase('platform_migrate')
  databases.push(db)
  return db
}

const options = (db: TestDatabase) => ({
  connectionString: db.url,
  applicationName: 'migrate-test',
  lockName: 'lab.migrate-test.schema',
  migrations: pathToFileURL(`${dir}/`),
  log
})

describe('migrateDatabase', () => {
  it('applies the numbered .sql files once, in order, even when two replicas boot together', async () => {
    const db = await freshDatabase()
    const seen: number[] = []
    await Promise.all([1, 2].map(async (replica) => {
      await migrateDatabase(options(db), async (client) => {
        seen.push(replica)
        await client.query('INSERT INTO things (id, note) VALUES ($1, $2) ON CONFLICT DO NOTHING', [replica, 'after'])
      })
    }))
    expect(seen.sort()).toEqual([1, 2])
    expect(await sql(db, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: '001_things.sql' },
      { version: 2, name: '002_add_note.sql' }
    ])
    expect(await sql(db, 'SELECT id FROM things ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('lets a replica wait for the schema lock without holding a snapshot (the seed\'s VACUUM can mark pages all-visible)', async () => {
    // One waiting statement (pg_advisory_lock) held a snapshot for the whole wait, which kept the
    // seed's VACUUM from marking the fresh pages all-visible (docs/experiments.md, redis-down). The
    // waiter now asks every 100 ms and runs nothing in between: sampled while the holder is inside
    // its afterMigrations, it is idle with no xmin nearly all the time.
    const db = await freshDatabase()
    let release = (): void => {}
    const holding = new Promise<void>((resolve) => { release = resolve })
    let entered = (): void => {}
    const inside = new Promise<void>((resolve) => { entered = resolve })
    const holder = migrateDatabase({ ...options(db), applicationName: 'migrate-holder' }, async () => { entered(); await holding })
    await inside
    const waiter = migrateDatabase({ ...options(db), applicationName: 'migrate-waiter' })
    try {
      const samples: Array<{ state: string, xmin: string | null } | undefined> = []
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        const [row] = await sql<{ state: string, xmin: string | null }>(db, 'SELECT state, backend_xmin::text AS xmin FROM pg_stat_activity WHERE datname = current_database() AND application_name = \'migrate-waiter\'')
        samples.push(row)
      }
      const waiting = samples.filter((s) => s !== undefined)
      expect(waiting.length).toBeGreaterThan(15)
      const holdingSnapshot = waiting.filter((s) => s.xmin !== null).length
      expect(holdingSnapshot, `${holdingSnapshot} of ${waiting.length} samples held a snapshot`).toBeLessThanOrEqual(2)
    } finally {
      release()
      await Promise.all([holder, waiter])
    }
  })

  it('rolls a failing migration back whole and keeps the ones before it', async () => {
    const db = await freshDatabase()
    const broken = [
      { version: 1, name: '001_things.sql', sql: 'CREATE TABLE things (id int PRIMARY KEY)' },
      { version: 2, name: '002_broken.sql', sql: 'CREATE TABLE half (id int); SELECT no_such_column FROM things' }
    ]
    await expect(migrateDatabase({ ...options(db), migrations: broken })).rejects.toThrow('migration 002_broken.sql failed')
    expect(await sql(db, 'SELECT version FROM schema_migrations')).toEqual([{ version: 1 }])
    expect(await sql(db, "SELECT to_regclass('half') AS half")).toEqual([{ half: null }])
  })
})
