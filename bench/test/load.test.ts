import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLoad } from '../load.js'

/** A stand-in product page that answers `x-cache: miss` the first time an id is asked, `hit` after. */
let app: FastifyInstance
let url: string
const asked = new Map<string, number>()

beforeAll(async () => {
  app = Fastify({ logger: false })
  app.get<{ Params: { id: string } }>('/products/:id', async (request, reply) => {
    const times = (asked.get(request.params.id) ?? 0) + 1
    asked.set(request.params.id, times)
    reply.header('x-cache', times === 1 ? 'miss' : 'hit')
    return { id: request.params.id }
  })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})

afterAll(async () => { await app.close() })

describe('runLoad', () => {
  it('asks each id at most once when it stops at maxRequests below the id space, and counts x-cache', async () => {
    asked.clear()
    const products = 500
    const connections = 5
    const result = await runLoad({
      title: 'ids',
      url: `${url}/products/1`,
      connections,
      durationSeconds: 10,
      pathOf: (sequence) => `/products/${(sequence % products) + 1}`,
      maxRequests: products - connections,
      countCache: true
    })
    expect(result.stoppedAtMaxRequests).toBe(true)
    expect(result.requests).toBe(products - connections)
    expect([...asked.values()].every((times) => times === 1)).toBe(true)
    expect(result.cache).toEqual({ hit: 0, miss: products - connections, bypass: 0, other: 0 })
    expect(result.p50Ms).toBeGreaterThan(0)
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms)
  })

  it('runs for the duration and reports throughput and sub-millisecond percentiles', async () => {
    const ticks: number[] = []
    const result = await runLoad({
      title: 'duration',
      url: `${url}/products/1`,
      connections: 2,
      durationSeconds: 2,
      onTick: (elapsed) => { ticks.push(elapsed) }
    })
    expect(result.durationSeconds).toBeGreaterThanOrEqual(2)
    expect(result.requestsPerSecond).toBeGreaterThan(100)
    expect(result.errors + result.non2xx).toBe(0)
    expect(Number.isInteger(result.p50Ms)).toBe(false)
    expect(ticks.length).toBeGreaterThanOrEqual(1)
    expect(result.cache).toBeUndefined()
  })
})
