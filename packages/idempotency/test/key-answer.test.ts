import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { withTransaction } from '@lab/platform'
import {
  ReplayedError, answerKeyUnlessAnswered, isKeyAnswered, readKeyAfterItsLock, requestHash, withIdempotency, type IdempotencyOptions, type IdempotentResponse
} from '../src/index.js'
import { migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb

beforeAll(async () => { t = await migratedDatabase() })
afterAll(async () => { await t.close() })

const scope = 'orders:key-answer-test'
const keyAlreadyUsed = Object.assign(new Error('this key cannot be resumed'), { statusCode: 422, code: 'KEY_ALREADY_USED' })
const options = (key: string, extra: Partial<IdempotencyOptions> = {}): IdempotencyOptions => ({ scope, key, requestBody: { n: 1 }, ...extra })
const answer = async (opts: IdempotencyOptions) => await withTransaction(t.pool, async (client) => await answerKeyUnlessAnswered(client, opts, keyAlreadyUsed))
const ok = async () => ({ statusCode: 201, body: { ok: true } })

/**
 * An attempt holds the key (withIdempotency, its work waiting) while `waiter` starts; 300 ms later the
 * work is let go and answers `work`'s result. Says whether the waiter had settled before that.
 */
async function whileAnAttemptHoldsTheKey<T> (key: string, work: () => Promise<IdempotentResponse>, waiter: () => Promise<T>) {
  let finish = (): void => {}
  const gate = new Promise<void>((resolve) => { finish = resolve })
  const inFlight = withIdempotency(t.pool, options(key), async () => { await gate; return await work() })
  await new Promise((resolve) => setTimeout(resolve, 100))
  let settled = false
  const closing = waiter().finally(() => { settled = true })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const settledBeforeFinish = settled
  finish()
  return { inFlight, closing, settledBeforeFinish }
}

describe('isKeyAnswered', () => {
  it('is true only for a key with a stored answer that has not expired', async () => {
    const key = randomUUID()
    expect(await isKeyAnswered(t.pool, options(key))).toBe(false)
    let seenWhileRunning: boolean | undefined
    await withIdempotency(t.pool, options(key), async () => {
      seenWhileRunning = await isKeyAnswered(t.pool, options(key))
      return await ok()
    })
    expect(seenWhileRunning).toBe(false)
    expect(await isKeyAnswered(t.pool, options(key))).toBe(true)

    const short = randomUUID()
    await withIdempotency(t.pool, options(short, { retentionMs: 100 }), ok)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await isKeyAnswered(t.pool, options(short))).toBe(false)
  })

  it('is true for a stored 4xx as well', async () => {
    const key = randomUUID()
    await expect(withIdempotency(t.pool, options(key), async () => { throw keyAlreadyUsed })).rejects.toBe(keyAlreadyUsed)
    expect(await isKeyAnswered(t.pool, options(key))).toBe(true)
  })
})

describe('answerKeyUnlessAnswered', () => {
  it('stores the 4xx on a free key, so a later request with it is answered that 4xx and runs nothing', async () => {
    const key = randomUUID()
    expect(await answer(options(key))).toBe('stored')
    let ran = false
    const later = withIdempotency(t.pool, options(key), async () => { ran = true; return await ok() })
    await expect(later).rejects.toBeInstanceOf(ReplayedError)
    await expect(later).rejects.toMatchObject({ statusCode: 422, code: 'KEY_ALREADY_USED', headers: { 'idempotent-replayed': 'true' } })
    expect(ran).toBe(false)
  })

  it('leaves a key answered already as it was', async () => {
    const key = randomUUID()
    const first = await withIdempotency(t.pool, options(key), ok)
    expect(await answer(options(key))).toBe('answered')
    expect(await withIdempotency(t.pool, options(key), ok)).toEqual({ ...first, replayed: true })
  })

  it('waits for an attempt holding the key to finish, and then finds its answer', async () => {
    const key = randomUUID()
    const { inFlight, closing, settledBeforeFinish } = await whileAnAttemptHoldsTheKey(key, ok, async () => await answer(options(key)))
    // Still waiting on the key's lock: it cannot store its answer under a request that may still commit.
    expect(settledBeforeFinish).toBe(false)
    expect(await inFlight).toMatchObject({ statusCode: 201, replayed: false })
    expect(await closing).toBe('answered')
  })

  it('stores nothing under a live claim of the comparison variant, and overwrites one presumed crashed', async () => {
    const insertClaim = async (key: string, lockedSecondsAgo: number) => await t.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, locked_at, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, now() - make_interval(secs => $5), now() + interval '1 day')`,
      [scope, key, requestHash({ n: 1 }), randomUUID(), lockedSecondsAgo])
    const live = randomUUID()
    await insertClaim(live, 0)
    expect(await answer(options(live))).toBe('in_progress')
    expect(await isKeyAnswered(t.pool, options(live))).toBe(false)
    const crashed = randomUUID()
    await insertClaim(crashed, 120)
    expect(await answer(options(crashed, { lockTimeoutMs: 30_000 }))).toBe('stored')
    expect(await isKeyAnswered(t.pool, options(crashed))).toBe(true)
  })

  it('stores nothing when the caller rolls back, and refuses an answer that is not a 4xx', async () => {
    const key = randomUUID()
    await withTransaction(t.pool, async (client, rollbackInstead) => {
      expect(await answerKeyUnlessAnswered(client, options(key), keyAlreadyUsed)).toBe('stored')
      rollbackInstead()
    })
    expect(await isKeyAnswered(t.pool, options(key))).toBe(false)
    await expect(withTransaction(t.pool, async (client) => await answerKeyUnlessAnswered(client, options(key), new Error('boom'))))
      .rejects.toThrow(TypeError)
  })
})

describe('readKeyAfterItsLock', () => {
  const read = async (opts: IdempotencyOptions) => await withTransaction(t.pool, async (client) => await readKeyAfterItsLock(client, opts))

  it('says a key with no answer, or an expired one, is free, and stores nothing', async () => {
    const key = randomUUID()
    expect(await read(options(key))).toBe('free')
    expect(await isKeyAnswered(t.pool, options(key))).toBe(false)
    const short = randomUUID()
    await withIdempotency(t.pool, options(short, { retentionMs: 100 }), ok)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await read(options(short))).toBe('free')
  })

  it('waits for an attempt holding the key to finish, then finds its answer, a 4xx too', async () => {
    const key = randomUUID()
    const { inFlight, closing: reading, settledBeforeFinish } = await whileAnAttemptHoldsTheKey(key, async () => { throw keyAlreadyUsed }, async () => await read(options(key)))
    expect(settledBeforeFinish).toBe(false)
    await expect(inFlight).rejects.toBe(keyAlreadyUsed)
    expect(await reading).toBe('answered')
  })

  it('says a live claim of the comparison variant is in progress', async () => {
    const key = randomUUID()
    await t.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, lock_token, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, now() + interval '1 day')`,
      [scope, key, requestHash({ n: 1 }), randomUUID()])
    expect(await read(options(key))).toBe('in_progress')
  })
})
