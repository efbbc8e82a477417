import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import {
  IdempotencyKeyReusedError, IdempotencyRequestInProgressError, ReplayedError, purgeExpiredIdempotencyKeys, requestHash,
  withIdempotency, withIdempotencyInTwoTransactions, type IdempotentResponse
} from '../src/index.js'
import { migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb

beforeAll(async () => {
  t = await migratedDatabase()
  await t.pool.query('CREATE TABLE transfers (id serial PRIMARY KEY, amount int NOT NULL)')
})
afterAll(async () => { await t.close() })

/** The effect under test: one row per run of `work`, and a 201 with its id. */
async function createTransfer (client: pg.PoolClient, amount: number): Promise<IdempotentResponse> {
  const { rows } = await client.query<{ id: number }>('INSERT INTO transfers (amount) VALUES ($1) RETURNING id', [amount])
  return { statusCode: 201, body: { id: rows[0]?.id, amount } }
}

async function effects (amount: number): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM transfers WHERE amount = $1', [amount])
  return rows[0]?.n ?? 0
}

const scope = 'transfers:test'

/**
 * The promises of both ways to claim a key, each with amounts of its own: withIdempotency (the claim in
 * the work's transaction, under an advisory lock: production) and withIdempotencyInTwoTransactions (the
 * claim committed in a transaction of its own first: the comparison variant).
 */
describe.each([
  { name: 'withIdempotencyInTwoTransactions (the comparison variant)', claimIn: 'its own transaction', run: withIdempotencyInTwoTransactions, b: 100 },
  { name: 'withIdempotency', claimIn: 'the work\'s transaction', run: withIdempotency, b: 200 }
])('$name, claim in $claimIn', ({ run, b }) => {
  it('replays the stored response for the same key and body, without running the work again', async () => {
    const key = randomUUID()
    const first = await run(t.pool, { scope, key, requestBody: { amount: b + 1, note: 'x' } }, async (c) => await createTransfer(c, b + 1))
    const second = await run(t.pool, { scope, key, requestBody: { note: 'x', amount: b + 1 } }, async (c) => await createTransfer(c, b + 1))
    expect(first).toMatchObject({ statusCode: 201, replayed: false })
    expect(second).toEqual({ statusCode: 201, body: first.body, replayed: true })
    expect(await effects(b + 1)).toBe(1)
  })

  it('answers 422 when the key is reused with a different body', async () => {
    const key = randomUUID()
    await run(t.pool, { scope, key, requestBody: { amount: b + 2 } }, async (c) => await createTransfer(c, b + 2))
    const reuse = run(t.pool, { scope, key, requestBody: { amount: b + 99 } }, async (c) => await createTransfer(c, b + 99))
    await expect(reuse).rejects.toBeInstanceOf(IdempotencyKeyReusedError)
    await expect(reuse).rejects.toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' })
    expect(await effects(b + 99)).toBe(0)
  })

  it('lets one of two concurrent requests with the same key run and answers the other 409', async () => {
    const key = randomUUID()
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const first = run(t.pool, { scope, key, requestBody: { amount: b + 3 } }, async (c) => {
      await gate // still running while the duplicate arrives
      return await createTransfer(c, b + 3)
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const second = run(t.pool, { scope, key, requestBody: { amount: b + 3 } }, async (c) => await createTransfer(c, b + 3))
    await expect(second).rejects.toMatchObject({ statusCode: 409, code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS', headers: { 'retry-after': '1' } })
    release()
    expect(await first).toMatchObject({ statusCode: 201, replayed: false })
    expect(await effects(b + 3)).toBe(1)
  })

  it('gives exactly one 201 among many simultaneous duplicates', async () => {
    const key = randomUUID()
    const results = await Promise.allSettled(Array.from({ length: 10 }, async () =>
      await run(t.pool, { scope, key, requestBody: { amount: b + 4 } }, async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return await createTransfer(c, b + 4)
      })))
    const fresh = results.filter((r) => r.status === 'fulfilled' && !r.value.replayed)
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(fresh).toHaveLength(1)
    for (const r of rejected) expect(r.reason).toBeInstanceOf(IdempotencyRequestInProgressError)
    expect(await effects(b + 4)).toBe(1)
  })

  it('runs the work again once the key has expired', async () => {
    const key = randomUUID()
    const options = { scope, key, requestBody: { amount: b + 5 }, retentionMs: 200 }
    await run(t.pool, options, async (c) => await createTransfer(c, b + 5))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const again = await run(t.pool, options, async (c) => await createTransfer(c, b + 5))
    expect(again.replayed).toBe(false)
    expect(await effects(b + 5)).toBe(2)
  })

  it('stores a 4xx thrown by the work and replays it, with nothing committed', async () => {
    const key = randomUUID()
    const outOfStock = Object.assign(new Error('no stock left'), { statusCode: 409, code: 'INVENTORY_OUT_OF_STOCK' })
    const work = async (c: pg.PoolClient): Promise<IdempotentResponse> => {
      await createTransfer(c, b + 6) // rolled back with the failure
      throw outOfStock
    }
    await expect(run(t.pool, { scope, key, requestBody: { amount: b + 6 } }, work)).rejects.toBe(outOfStock)
    let ranAgain = false
    const replay = run(t.pool, { scope, key, requestBody: { amount: b + 6 } }, async (c) => { ranAgain = true; return await createTransfer(c, b + 6) })
    await expect(replay).rejects.toBeInstanceOf(ReplayedError)
    await expect(replay).rejects.toMatchObject({ statusCode: 409, code: 'INVENTORY_OUT_OF_STOCK', message: 'no stock left', headers: { 'idempotent-replayed': 'true' } })
    expect(ranAgain).toBe(false)
    expect(await effects(b + 6)).toBe(0)
  })

  it('releases the key after a 5xx so the client can retry', async () => {
    const key = randomUUID()
    const boom = run(t.pool, { scope, key, requestBody: { amount: b + 7 } }, async (c) => {
      await createTransfer(c, b + 7)
      throw new Error('upstream down')
    })
    await expect(boom).rejects.toThrow('upstream down')
    const retry = await run(t.pool, { scope, key, requestBody: { amount: b + 7 } }, async (c) => await createTransfer(c, b + 7))
    expect(retry).toMatchObject({ statusCode: 201, replayed: false })
    expect(await effects(b + 7)).toBe(1)
  })

  it('takes over a claim left in progress by a crashed attempt after lockTimeoutMs', async () => {
    const key = randomUUID()
    // What a process that died inside the two-transaction variant's work() leaves behind: a claim nobody will complete.
    await t.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, locked_at, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, now() - interval '1 minute', now() + interval '1 day')`,
      [scope, key, requestHash({ amount: b + 8 }), randomUUID()])
    await expect(run(t.pool, { scope, key, requestBody: { amount: b + 8 }, lockTimeoutMs: 120_000 }, async (c) => await createTransfer(c, b + 8)))
      .rejects.toBeInstanceOf(IdempotencyRequestInProgressError)
    const taken = await run(t.pool, { scope, key, requestBody: { amount: b + 8 }, lockTimeoutMs: 30_000 }, async (c) => await createTransfer(c, b + 8))
    expect(taken).toMatchObject({ statusCode: 201, replayed: false })
    expect(await effects(b + 8)).toBe(1)
  })
})

describe('withIdempotencyInTwoTransactions: a slow attempt', () => {
  it('rolls back a slow attempt whose claim was taken over, so the effect happens once', async () => {
    const key = randomUUID()
    const options = { scope, key, requestBody: { amount: 109 }, lockTimeoutMs: 100 }
    const slow = withIdempotencyInTwoTransactions(t.pool, options, async (c) => {
      const response = await createTransfer(c, 109)
      await new Promise((resolve) => setTimeout(resolve, 400))
      return response
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const takeover = await withIdempotencyInTwoTransactions(t.pool, options, async (c) => await createTransfer(c, 109))
    expect(takeover.replayed).toBe(false)
    await expect(slow).rejects.toBeInstanceOf(IdempotencyRequestInProgressError)
    expect(await effects(109)).toBe(1)
  })
})

describe('purgeExpiredIdempotencyKeys', () => {
  it('purges expired keys', async () => {
    await withIdempotency(t.pool, { scope, key: randomUUID(), requestBody: {}, retentionMs: 1 }, async () => ({ statusCode: 200, body: {} }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await purgeExpiredIdempotencyKeys(t.pool)).toBeGreaterThanOrEqual(1)
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= now()')
    expect(rows[0]?.n).toBe(0)
  })
})
