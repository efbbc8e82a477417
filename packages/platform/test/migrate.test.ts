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
