import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { createDatabase, createProxy, type TestDatabase, type TestProxy } from '@lab/testkit'
import { buildCatalog, catalogEnv, metricValue, pageQueries, type CatalogUnderTest } from '../build.js'

/**
 * Each test gets its own catalog reaching Redis through its own Toxiproxy proxy, which it cuts or slows
 * down. (One app per test: the breaker's 10 s statistics window must not carry over between tests.)
 */
let db: TestDatabase
let proxy: TestProxy
let catalog: CatalogUnderTest

const RESET_MS = 1000

beforeAll(async () => {
  db = await createDatabase('catalog_failopen')
})

afterAll(async () => {
  await db?.drop()
})

beforeEach(async () => {
  proxy = await createProxy('redis')
  onTestFinished(async () => { await proxy.remove() })
  catalog = await buildCatalog(catalogEnv(db, {
    REDIS_URL: `redis://${proxy.address}`,
    REDIS_COMMAND_TIMEOUT_MS: '200',
    BREAKER_RESET_MS: String(RESET_MS),
    BREAKER_VOLUME_THRESHOLD: '5'
  }))
  onTestFinished(async () => { await catalog.app.close() })
})

async function timedGet (id: number) {
  const started = performance.now()
  const res = await catalog.app.inject({ method: 'GET', url: `/products/${id}` })
  return { status: res.statusCode, cache: res.headers['x-cache'], body: res.json(), ms: performance.now() - started }
}

const breakerState = async () => await metricValue(catalog.registry, 'circuit_breaker_state', { breaker: 'redis' })

/** Reads until the cache answers `hit` again (the half-open probe closed the breaker), or gives up. */
async function untilHit (id: number, withinMs: number) {
  const deadline = Date.now() + withinMs
  for (;;) {
    const res = await timedGet(id)
    if (res.cache === 'hit' || Date.now() > deadline) return res
    await sleep(100)
  }
}

describe('fail-open when Redis is cut or slow', () => {
  it('answers from Postgres with x-cache: bypass while Redis is cut, opens the breaker, and serves hits again once Redis returns', async () => {
    expect((await timedGet(21)).cache).toBe('miss')
    expect((await timedGet(21)).cache).toBe('hit')

    await proxy.disable()
    const during = []
    for (let i = 0; i < 10; i++) during.push(await timedGet(21))
    expect(during.every((r) => r.status === 200 && r.cache === 'bypass' && r.body.id === 21)).toBe(true)
    expect(await breakerState()).toBe(2)
    expect(await metricValue(catalog.registry, 'circuit_breaker_transitions_total', { breaker: 'redis', to: 'open' })).toBeGreaterThanOrEqual(1)
    expect(await metricValue(catalog.registry, 'cache_requests_total', { result: 'bypass' })).toBeGreaterThanOrEqual(10)

    await proxy.enable()
    const back = await untilHit(21, RESET_MS * 8)
    expect(back.cache).toBe('hit')
    expect(await breakerState()).toBe(0)
    expect(await metricValue(catalog.registry, 'circuit_breaker_transitions_total', { breaker: 'redis', to: 'closed' })).toBeGreaterThanOrEqual(1)
  })

  it('stops paying the Redis timeout once the breaker is open (slow Redis)', async () => {
    await timedGet(22)
    await proxy.setLatency(1000)
    const first = await timedGet(22)
    expect(first.status).toBe(200)
    expect(first.cache).toBe('bypass')
    expect(first.ms).toBeGreaterThanOrEqual(150) // waited for the command timeout (200 ms)

    for (let i = 0; i < 5; i++) await timedGet(22)
    expect(await breakerState()).toBe(2)
    const whileOpen = []
    for (let i = 0; i < 10; i++) whileOpen.push(await timedGet(22))
    expect(whileOpen.every((r) => r.status === 200 && r.cache === 'bypass')).toBe(true)
    expect(Math.max(...whileOpen.map((r) => r.ms))).toBeLessThan(150) // well under the 200 ms timeout
    expect(await metricValue(catalog.registry, 'circuit_breaker_rejected_total', { breaker: 'redis' })).toBeGreaterThanOrEqual(10)

    await proxy.reset()
    expect((await untilHit(22, RESET_MS * 8)).cache).toBe('hit')
  })

  it('never serves a page that a PUT replaced while Redis was down', async () => {
    await timedGet(23)
    expect((await timedGet(23)).cache).toBe('hit')

    await proxy.disable()
    const put = await catalog.app.inject({ method: 'PUT', url: '/products/23', payload: { name: 'Renamed during outage' } })
    expect(put.statusCode).toBe(200)
    expect(await metricValue(catalog.registry, 'cache_pending_invalidations')).toBe(1)
    for (let i = 0; i < 6; i++) expect((await timedGet(23)).body.name).toBe('Renamed during outage')
    expect(await breakerState()).toBe(2)

    await proxy.enable()
    const before = await pageQueries(catalog)
    const deadline = Date.now() + RESET_MS * 8
    let res = await timedGet(23)
    while (res.cache !== 'hit' && Date.now() < deadline) {
      expect(res.body.name).toBe('Renamed during outage')
      await sleep(100)
      res = await timedGet(23)
    }
    expect(res.cache).toBe('hit')
    expect(res.body.name).toBe('Renamed during outage')
    expect(await metricValue(catalog.registry, 'cache_pending_invalidations')).toBe(0)
    expect(await pageQueries(catalog)).toBeGreaterThan(before)
  })
})
