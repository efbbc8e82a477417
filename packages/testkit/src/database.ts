import pg from 'pg'
import { testInfra } from './infra.js'
import { uniqueName } from './names.js'

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
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl('postgres') })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    }
  }
}
