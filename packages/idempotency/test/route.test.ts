import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { Registry } from 'prom-client'
import { createBaseApp, errorResponses, type LabApp } from '@lab/platform'
import { requireIdempotencyKey, sendIdempotent, withIdempotency } from '../src/index.js'
import { migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb
let app: LabApp

/** The way a service wires it: key from the header, effect + response in one transaction, replay header. */
beforeAll(async () => {
  t = await migratedDatabase()
  await t.pool.query('CREATE TABLE payments (id serial PRIMARY KEY, amount int NOT NULL)')
  app = await createBaseApp({ logger: { level: 'silent', pretty: false, service: 'test' }, registry: new Registry(), defaultMetrics: false })
  const Body = Type.Object({ amount: Type.Integer() })
  const Payment = Type.Object({ id: Type.Integer(), amount: Type.Integer() })
  app.post('/payments', { schema: { body: Body, response: { 201: Payment, ...errorResponses(400, 409, 422) } } }, async (request, reply) => {
    const key = requireIdempotencyKey(request)
    const result = await withIdempotency(t.pool, { scope: 'payments:create', key, requestBody: request.body }, async (client) => {
      if (request.body.amount <= 0) throw Object.assign(new Error('amount must be positive'), { statusCode: 400, code: 'TEST_BAD_AMOUNT' })
      const { rows } = await client.query<{ id: number }>('INSERT INTO payments (amount) VALUES ($1) RETURNING id', [request.body.amount])
      return { statusCode: 201, body: { id: rows[0]?.id, amount: request.body.amount } }
    })
    return sendIdempotent(reply, result)
  })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await t.close()
})

async function post (body: unknown, key?: string) {
  return await app.inject({ method: 'POST', url: '/payments', payload: body as object, headers: key === undefined ? {} : { 'idempotency-key': key } })
}

describe('Idempotency-Key on a Fastify route', () => {
  it('answers a retry with the first response and idempotent-replayed: true', async () => {
    const key = randomUUID()
    const first = await post({ amount: 5 }, key)
    const retry = await post({ amount: 5 }, key)
    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json()).toEqual(first.json())
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM payments WHERE amount = 5')
    expect(rows[0]?.n).toBe(1)
  })

  it('answers 400 without a key, 422 for a reused key', async () => {
    expect((await post({ amount: 6 })).json()).toMatchObject({ statusCode: 400, code: 'IDEMPOTENCY_KEY_MISSING' })
    const key = randomUUID()
    await post({ amount: 6 }, key)
    expect((await post({ amount: 7 }, key)).json()).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' })
  })

  it('replays a stored 4xx with the same code and the replay header', async () => {
    const key = randomUUID()
    const first = await post({ amount: -1 }, key)
    const retry = await post({ amount: -1 }, key)
    expect(first.json()).toMatchObject({ statusCode: 400, code: 'TEST_BAD_AMOUNT', message: 'amount must be positive' })
    expect(retry.json()).toMatchObject({ statusCode: 400, code: 'TEST_BAD_AMOUNT', message: 'amount must be positive' })
    expect(retry.headers['idempotent-replayed']).toBe('true')
  })
})
