import pg from 'pg'
import { testInfra } from './infra.js'
import { uniqueName } from './names.js'
import { registerTeardown } from './teardown.js'

export interface TestDatabase {
  name: string
  url: string
  drop: () => Promise<void>
}

function adminUrl (database: string): string {
  const { host, port, user, password } = testInfra().postgres
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`
}

/** A fresh, empty database on the real PostgreSQL; `drop()` removes it (and its connections). */
export async function createDatabase (prefix = 't'): Promise<TestDatabase> {
  const name = uniqueName(prefix).toLowerCase()
  const admin = new pg.Client({ connectionString: adminUrl('postgres') })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  return {
    name,
    url: adminUrl(name),
    drop: async () => { await dropDatabase(name) }
  }
}

/**
 * DROP … WITH (FORCE) ends the database's sessions, but not an autovacuum worker that a brand-new
 * database may have (it belongs to the superuser): then Postgres refuses, and a moment later it works.
 */
async function dropDatabase (name: string, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: adminUrl('postgres') })
    await client.connect()
    try {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
      return
    } catch (err) {
      if (attempt >= attempts) throw err
    } finally {
      await client.end()
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
  }
}

/** A fresh database (createDatabase) that drops itself after the test, or after the file's tests (registerTeardown). */
export async function tempDatabase (prefix = 't'): Promise<TestDatabase> {
  const db = await createDatabase(prefix)
  registerTeardown(db.drop)
  return db
}
