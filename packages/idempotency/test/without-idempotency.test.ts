import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withIdempotency, withoutIdempotency } from '../src/index.js'
import { migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb

beforeAll(async () => { t = await migratedDatabase() })
afterAll(async () => { await t?.close() })

describe('withoutIdempotency (the idempotency-key switch off)', () => {
  it('runs the work for every request with the same key, remembering nothing', async () => {
    const runs: number[] = []
    const work = async () => { runs.push(runs.length); return { statusCode: 201, body: { run: runs.length } } }
    const opts = { scope: 'switch-test', key: 'same-key', requestBody: { a: 1 } }
    expect(await withoutIdempotency(t.pool, opts, work)).toEqual({ statusCode: 201, body: { run: 1 }, replayed: false })
    expect(await withoutIdempotency(t.pool, opts, work)).toEqual({ statusCode: 201, body: { run: 2 }, replayed: false })
    expect((await t.pool.query("SELECT 1 FROM idempotency_keys WHERE scope = 'switch-test'")).rowCount).toBe(0)
    expect(await withIdempotency(t.pool, opts, work)).toMatchObject({ body: { run: 3 }, replayed: false })
    expect(await withIdempotency(t.pool, opts, work)).toMatchObject({ body: { run: 3 }, replayed: true })
  })
})
