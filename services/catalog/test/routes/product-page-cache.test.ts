import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, uniqueName, type TestDatabase } from '@lab/testkit'
import { buildCatalog, catalogEnv, metricValue, pageQueries, type CatalogUnderTest } from '../build.js'

/** Two replicas of the catalog on one database and one Redis key prefix, as in the lab. */
let db: TestDatabase
let one: CatalogUnderTest
let two: CatalogUnderTest

beforeAll(async () => {
  db = await createDatabase('catalog_cache')
  const env = catalogEnv(db, { REDIS_KEY_PREFIX: `${uniqueName('catalog')}:` })
  ;[one, two] = await Promise.all([buildCatalog(env), buildCatalog(env)])
})

afterAll(async () => {
  await one?.app.close()
  await two?.app.close()
  await db?.drop()
})

async function getPage (instance: CatalogUnderTest, id: number) {
  const res = await instance.app.inject({ method: 'GET', url: `/products/${id}` })
  return { status: res.statusCode, cache: res.headers['x-cache'], body: res.json() }
}

describe('GET /products/:id through cache-aside', () => {
  it('loads the page from Postgres once, then serves it from the cache', async () => {
    const before = await pageQueries(one)
    const first = await getPage(one, 11)
    expect(first.status).toBe(200)
    expect(first.cache).toBe('miss')
    expect(first.body).toMatchObject({ id: 11, category: { id: expect.any(Number) }, review_count: expect.any(Number) })
    expect(first.body.latest_reviews.length).toBeLessThanOrEqual(5)
    expect(first.body.related_products).toHaveLength(4)

    const second = await getPage(one, 11)
    expect(second.cache).toBe('hit')
    expect(second.body).toEqual(first.body)
    expect(await pageQueries(one) - before).toBe(1)
    expect(await metricValue(one.registry, 'cache_requests_total', { result: 'hit' })).toBeGreaterThanOrEqual(1)
  })

  it('shares cached pages between replicas', async () => {
    await getPage(one, 12)
    const before = await pageQueries(one, two)
    const fromOther = await getPage(two, 12)
    expect(fromOther.cache).toBe('hit')
    expect(await pageQueries(one, two)).toBe(before)
  })

  it('shows the new data on the next read after a successful PUT (no stale read)', async () => {
    const cached = await getPage(one, 13)
    await getPage(two, 13)
    const put = await one.app.inject({ method: 'PUT', url: '/products/13', payload: { name: 'Renamed lamp', price_cents: 1234, version: cached.body.version } })
    expect(put.statusCode).toBe(200)
    expect(put.json()).toMatchObject({ id: 13, name: 'Renamed lamp', price_cents: 1234, version: cached.body.version + 1 })

    for (const instance of [two, one]) {
      const after = await getPage(instance, 13)
      expect(after.body).toMatchObject({ name: 'Renamed lamp', price_cents: 1234, version: cached.body.version + 1 })
    }
  })

  it('answers 409 for a stale version and leaves the product and its cached page as they were', async () => {
    const current = await getPage(one, 14)
    const put = await one.app.inject({ method: 'PUT', url: '/products/14', payload: { name: 'Lost update', version: current.body.version + 5 } })
    expect(put.statusCode).toBe(409)
    expect(put.json()).toMatchObject({ code: 'CATALOG_VERSION_CONFLICT', statusCode: 409 })
    const after = await getPage(one, 14)
    expect(after.cache).toBe('hit')
    expect(after.body).toEqual(current.body)
  })

  it('caches an unknown id negatively: the second request does not reach Postgres', async () => {
    const first = await one.app.inject({ method: 'GET', url: '/products/987654' })
    expect(first.statusCode).toBe(404)
    expect(first.json()).toMatchObject({ statusCode: 404, code: 'CATALOG_PRODUCT_NOT_FOUND', requestId: expect.any(String) })
    const before = await pageQueries(one, two)
    for (const instance of [one, two]) {
      const again = await instance.app.inject({ method: 'GET', url: '/products/987654' })
      expect(again.statusCode).toBe(404)
      expect(again.headers['x-cache']).toBe('hit')
    }
    expect(await pageQueries(one, two)).toBe(before)
    expect(await metricValue(one.registry, 'cache_requests_total', { result: 'negative_hit' })).toBe(1)
  })

  it('reads Postgres once for 200 concurrent requests for a cold key spread over two replicas', async () => {
    const before = await pageQueries(one, two)
    const coalescedBefore = await metricValue(one.registry, 'cache_singleflight_coalesced_total') + await metricValue(two.registry, 'cache_singleflight_coalesced_total')
    const responses = await Promise.all(Array.from({ length: 200 }, async (_, i) => await getPage(i % 2 === 0 ? one : two, 15)))

    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1)
    expect(await pageQueries(one, two) - before).toBe(1)
    // Everyone but the one loader waited for it: in its own process (local) or on the other replica (remote).
    const coalesced = await metricValue(one.registry, 'cache_singleflight_coalesced_total') + await metricValue(two.registry, 'cache_singleflight_coalesced_total') - coalescedBefore
    const hits = responses.filter((r) => r.cache === 'hit').length
    expect(coalesced + hits).toBeGreaterThanOrEqual(199)
    expect(responses.some((r) => r.cache === 'bypass')).toBe(false)
  })
})
