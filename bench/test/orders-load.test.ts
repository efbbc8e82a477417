import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { placeOrders } from '../checkout/orders-load.js'
import { orderBody } from '../checkout/plan.js'

/**
 * A stand-in for POST /orders: answers 201 with a new id after 0, 100 or 200 ms depending on the product
 * (so answers come back out of order across connections), and 409 for product 13. Records when each
 * request arrived, by the id it answered, and every Idempotency-Key.
 */
let app: FastifyInstance
let base: string
const arrivedAt = new Map<string, number>()
const keys: string[] = []

beforeAll(async () => {
  app = Fastify({ logger: false })
  app.post<{ Body: { productId: number } }>('/orders', async (request, reply) => {
    const arrived = performance.now()
    keys.push(String(request.headers['idempotency-key']))
    if (request.body.productId === 13) return await reply.code(409).send({ statusCode: 409, code: 'ORDERS_OUT_OF_STOCK', message: 'out of stock' })
    await new Promise((resolve) => setTimeout(resolve, (request.body.productId % 3) * 100))
    const id = randomUUID()
    arrivedAt.set(id, arrived)
    return await reply.code(201).send({ id, status: 'pending' })
  })
  base = await app.listen({ host: '127.0.0.1', port: 0 })
})

afterAll(async () => { await app.close() })

describe('placeOrders', () => {
  it('pairs each placed order with the moment its own POST went out, and counts the other answers by code', async () => {
    keys.length = 0
    const result = await placeOrders({ title: 'orders', base, connections: 4, maxRequests: 200, bodyOf: (n) => orderBody(n, [1, 2, 3, 4, 13], 'wallet') })
    expect(result.answered).toBe(200)
    expect(result.byStatus).toEqual({ 201: 160, '409 ORDERS_OUT_OF_STOCK': 40 })
    expect(result.placed.size).toBe(160)
    for (const [id, order] of result.placed) {
      // Sent just before the server saw it (some ms either way: the two clocks are read at different
      // points, and a busy machine can pause the process in between), never an answer 100 ms off.
      const arrived = arrivedAt.get(id) as number
      expect(Math.abs(arrived - order.sentAt)).toBeLessThan(50)
      expect(order.answeredAt).toBeGreaterThan(order.sentAt)
    }
    expect(new Set(keys).size).toBe(200)
    expect(result.post.count).toBe(160)
  })

  it('paces a rate evenly: rate × duration orders, never many at once', async () => {
    const result = await placeOrders({ title: 'paced', base, connections: 1, rate: 20, durationSeconds: 2, bodyOf: (n) => orderBody(n, [1, 2, 3], 'wallet') })
    expect(result.placed.size).toBe(40)
    expect(result.sent).toBe(40)
    const sent = [...result.placed.values()].map((o) => o.sentAt).sort((a, b) => a - b)
    // 20 instances started 50 ms apart, one order each per second: about 2 s from the first to the last.
    expect((sent.at(-1) as number) - (sent[0] as number)).toBeGreaterThan(1800)
    expect(result.placedPerSecond).toBeGreaterThan(17)
    expect(result.placedPerSecond).toBeLessThan(23)
  })
})
