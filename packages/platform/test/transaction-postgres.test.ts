import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql, type TestDatabase } from '@lab/testkit'
import { withSavepoint, withTransaction } from '../src/index.js'

let db: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  db = await createDatabase('platform_transaction')
  // One connection: a connection left in a bad state would be the very next one handed out.
  pool = new pg.Pool({ connectionString: db.url, max: 1 })
  // pool.end() resolves before its sockets close, and the drop WITH (FORCE) below may cut one.
  pool.on('error', () => {})
  await pool.query('CREATE TABLE things (id int PRIMARY KEY)')
})

afterAll(async () => {
  await pool.end()
  await db.drop()
})

async function stored (id: number): Promise<boolean> {
  return (await sql(db, 'SELECT 1 FROM things WHERE id = $1', [id])).length === 1
}

/** This connection's next ROLLBACK fails on the client, before reaching PostgreSQL: its transaction stays open. */
function failNextRollback (client: pg.PoolClient): void {
  const query = client.query.bind(client) as (text: unknown, ...rest: unknown[]) => Promise<unknown>
  let failed = false
  Object.assign(client, {
    query: async (text: unknown, ...rest: unknown[]) => {
      if (text !== 'ROLLBACK' || failed) return await query(text, ...rest)
      failed = true
      throw new Error('ROLLBACK lost on the way')
    }
  })
}

describe('withTransaction on PostgreSQL', () => {
  it('keeps what a transaction committed', async () => {
    await withTransaction(pool, async (client) => { await client.query('INSERT INTO things VALUES (1)') })
    expect(await stored(1)).toBe(true)
  })

  it('leaves no row behind when the work throws, and rethrows the work\'s error', async () => {
    const thrown = new Error('failed after the insert')
    await expect(withTransaction(pool, async (client) => {
      await client.query('INSERT INTO things VALUES (2)')
      throw thrown
    })).rejects.toBe(thrown)
    expect(await stored(2)).toBe(false)
  })

  it('leaves no row behind when the work asks for a rollback, and answers its value', async () => {
    const answer = await withTransaction(pool, async (client, rollbackInstead) => {
      await client.query('INSERT INTO things VALUES (3)')
      rollbackInstead()
      return 'not this time'
    })
    expect(answer).toBe('not this time')
    expect(await stored(3)).toBe(false)
  })

  it('destroys a connection whose ROLLBACK failed, and the pool goes on serving healthy ones', async () => {
    pool.once('acquire', failNextRollback)
    const thrown = new Error('failed after the insert')
    let brokenPid = 0
    await expect(withTransaction(pool, async (client) => {
      brokenPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0
      await client.query('INSERT INTO things VALUES (4)')
      throw thrown
    })).rejects.toBe(thrown)
    // Returned to the pool, that connection would still be inside its transaction (now() is its start).
    const { rows } = await pool.query<{ pid: number, inTransaction: boolean }>('SELECT pg_backend_pid() AS pid, now() <> statement_timestamp() AS "inTransaction"')
    expect(rows[0]?.pid).not.toBe(brokenPid)
    expect(rows[0]?.inTransaction).toBe(false)
    await withTransaction(pool, async (client) => { await client.query('INSERT INTO things VALUES (4)') })
    expect(await stored(4)).toBe(true)
  })

  it('begins with the isolation level, READ ONLY and lock timeout asked for', async () => {
    const settings = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ isolation: string, lockTimeout: string }>(
        "SELECT current_setting('transaction_isolation') AS isolation, current_setting('lock_timeout') AS \"lockTimeout\"")
      return rows[0]
    }, { isolation: 'repeatable read', lockTimeoutMs: 150 })
    expect(settings).toEqual({ isolation: 'repeatable read', lockTimeout: '150ms' })
    await expect(withTransaction(pool, async (client) => await client.query('INSERT INTO things VALUES (5)'), { readOnly: true }))
      .rejects.toMatchObject({ code: '25006' }) // read_only_sql_transaction
    expect(await stored(5)).toBe(false)
  })
})

describe('withSavepoint on PostgreSQL', () => {
  it('undoes only the savepoint\'s part when its work fails, and the transaction still commits', async () => {
    await withTransaction(pool, async (client) => {
      await client.query('INSERT INTO things VALUES (6)')
      await expect(withSavepoint(client, 'attempt', async () => {
        await client.query('INSERT INTO things VALUES (7)')
        await client.query('INSERT INTO things VALUES (6)') // duplicate key: aborts the savepoint's part
      })).rejects.toMatchObject({ code: '23505' })
      await client.query('INSERT INTO things VALUES (8)')
    })
    expect([await stored(6), await stored(7), await stored(8)]).toEqual([true, false, true])
  })
})
