import pg from 'pg'
import { createDatabase, endPool, type TestDatabase } from '@lab/testkit'
import { IDEMPOTENCY_MIGRATION_SQL } from '../src/index.js'

export interface TestDb { db: TestDatabase, pool: pg.Pool, close: () => Promise<void> }

/** A fresh database with the idempotency_keys table, and a pool on it. */
export async function migratedDatabase (): Promise<TestDb> {
  const db = await createDatabase('idempotency')
  const pool = new pg.Pool({ connectionString: db.url, max: 10 })
  await pool.query(IDEMPOTENCY_MIGRATION_SQL)
  return { db, pool, close: async () => { await endPool(pool); await db.drop() } }
}
