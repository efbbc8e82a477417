import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { withSavepoint, withTransaction } from '../src/transaction.js'

/**
 * A pool of one fake connection that writes down each statement and how it was released, and fails
 * the statements named in `failing`: the helper's control flow, without a database. (What PostgreSQL
 * does with it is transaction-postgres.test.ts's part.)
 */
function recordingPool (failing: Record<string, Error> = {}) {
  const calls: string[] = []
  const client = {
    query: async (text: string) => {
      calls.push(text)
      const err = failing[text]
      if (err !== undefined) throw err
      return { rows: [], rowCount: 0 }
    },
    release: (err?: Error | boolean) => {
      calls.push(err === undefined ? 'release' : `release(${err instanceof Error ? err.message : String(err)})`)
    }
  }
  return { pool: { connect: async () => client } as unknown as pg.Pool, client: client as unknown as pg.PoolClient, calls }
}

describe('withTransaction', () => {
  it('commits when the work returns, answers its value and gives the connection back', async () => {
    const { pool, calls } = recordingPool()
    expect(await withTransaction(pool, async (client) => { await client.query('INSERT 1'); return 42 })).toBe(42)
    expect(calls).toEqual(['BEGIN', 'INSERT 1', 'COMMIT', 'release'])
  })

  it('begins with the isolation level, READ ONLY and the lock timeout asked for', async () => {
    const { pool, calls } = recordingPool()
    await withTransaction(pool, async () => {}, { isolation: 'repeatable read', readOnly: true, lockTimeoutMs: 200 })
    expect(calls).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'SET LOCAL lock_timeout = 200', 'COMMIT', 'release'])
  })

  it('rolls back instead of committing when the work asks, and still answers its value', async () => {
    const { pool, calls } = recordingPool()
    expect(await withTransaction(pool, async (_client, rollbackInstead) => { rollbackInstead(); return 'out of stock' })).toBe('out of stock')
    expect(calls).toEqual(['BEGIN', 'ROLLBACK', 'release'])
  })

  it('rolls back when the work throws, rethrows that very error and gives the connection back', async () => {
    const { pool, calls } = recordingPool()
    const thrown = new Error('work failed')
    await expect(withTransaction(pool, async () => { throw thrown })).rejects.toBe(thrown)
    expect(calls).toEqual(['BEGIN', 'ROLLBACK', 'release'])
  })

  it('destroys the connection whose ROLLBACK failed, and still throws the work\'s error', async () => {
    const { pool, calls } = recordingPool({ ROLLBACK: new Error('rollback lost') })
    const thrown = new Error('work failed')
    await expect(withTransaction(pool, async () => { throw thrown })).rejects.toBe(thrown)
    expect(calls).toEqual(['BEGIN', 'ROLLBACK', 'release(rollback lost)'])
  })

  it('destroys the connection when COMMIT fails, and throws COMMIT\'s error', async () => {
    const lost = new Error('commit lost')
    const { pool, calls } = recordingPool({ COMMIT: lost })
    await expect(withTransaction(pool, async () => 1)).rejects.toBe(lost)
    expect(calls).toEqual(['BEGIN', 'COMMIT', 'release(commit lost)'])
  })

  it('destroys the connection when the asked-for ROLLBACK fails, and throws its error', async () => {
    const lost = new Error('rollback lost')
    const { pool, calls } = recordingPool({ ROLLBACK: lost })
    await expect(withTransaction(pool, async (_client, rollbackInstead) => { rollbackInstead() })).rejects.toBe(lost)
    expect(calls).toEqual(['BEGIN', 'ROLLBACK', 'release(rollback lost)'])
  })

  it('rolls back when BEGIN fails, without running the work', async () => {
    const refused = new Error('begin refused')
    const { pool, calls } = recordingPool({ BEGIN: refused })
    let ran = false
    await expect(withTransaction(pool, async () => { ran = true })).rejects.toBe(refused)
    expect(ran).toBe(false)
    expect(calls).toEqual(['BEGIN', 'ROLLBACK', 'release'])
  })

  it('refuses a lock timeout that is not a whole number of ms before taking a connection', async () => {
    const { pool, calls } = recordingPool()
    await expect(withTransaction(pool, async () => {}, { lockTimeoutMs: 1.5 })).rejects.toThrow(RangeError)
    await expect(withTransaction(pool, async () => {}, { lockTimeoutMs: -1 })).rejects.toThrow(RangeError)
    expect(calls).toEqual([])
  })
})

describe('withSavepoint', () => {
  it('releases the savepoint when the work returns', async () => {
    const { client, calls } = recordingPool()
    expect(await withSavepoint(client, 'attempt', async () => 'moved')).toBe('moved')
    expect(calls).toEqual(['SAVEPOINT attempt', 'RELEASE SAVEPOINT attempt'])
  })

  it('rolls back to the savepoint, then releases it, when the work asks', async () => {
    const { client, calls } = recordingPool()
    expect(await withSavepoint(client, 'attempt', async (rollbackInstead) => { rollbackInstead(); return null })).toBeNull()
    expect(calls).toEqual(['SAVEPOINT attempt', 'ROLLBACK TO SAVEPOINT attempt', 'RELEASE SAVEPOINT attempt'])
  })

  it('rolls back to the savepoint when the work throws, and rethrows that error even if the rollback fails', async () => {
    const { client, calls } = recordingPool({ 'ROLLBACK TO SAVEPOINT attempt': new Error('rollback lost') })
    const thrown = new Error('work failed')
    await expect(withSavepoint(client, 'attempt', async () => { throw thrown })).rejects.toBe(thrown)
    expect(calls).toEqual(['SAVEPOINT attempt', 'ROLLBACK TO SAVEPOINT attempt'])
  })

  it('refuses a name that is not a plain identifier', async () => {
    const { client, calls } = recordingPool()
    await expect(withSavepoint(client, 'a; DROP TABLE wallets', async () => {})).rejects.toThrow(RangeError)
    expect(calls).toEqual([])
  })
})
