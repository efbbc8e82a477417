import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, eventually, tempDatabase, type ServiceProcess } from '@lab/testkit'
import { buildGateway, metricValue } from './build.js'
import { catalogEnv, replicaLabel, startCatalog } from './catalog.js'

/** Two catalog replicas, each its own process: a test kills one (stop) and brings it back on the same port (start). */
let replicas: [ServiceProcess, ServiceProcess]

beforeAllWithTeardown(async () => {
  const db = await tempDatabase('gw_catalog')
  const env = catalogEnv(db, { SEED_PRODUCTS: '50', SEED_REVIEWS: '200' })
  // Sequentially: the first one migrates and seeds, the second finds it done.
  replicas = [await startCatalog(env), await startCatalog(env)]
})

async function ensureBothRunning (): Promise<void> {
  for (const r of replicas) if (!r.running()) await r.start()
}

describe('gateway in front of two catalog replicas', () => {
  it('spreads requests over both replicas and passes the request id through to them', async () => {
    await ensureBothRunning()
    const { url, registry } = await buildGateway({ CATALOG_UPSTREAMS: replicas.map((r) => r.url).join(',') })
    for (let i = 1; i <= 20; i++) {
      const res = await fetch(`${url}/catalog/products/${i}`, { headers: { 'x-request-id': `trace-${i}` } })
      expect(res.status).toBe(200)
      // The catalog echoes the id it received: had the gateway not forwarded it, this would be a new uuid.
      expect(res.headers.get('x-request-id')).toBe(`trace-${i}`)
      expect(['hit', 'miss']).toContain(res.headers.get('x-cache'))
    }
    for (const r of replicas) {
      expect(await metricValue(registry, 'gateway_upstream_requests_total', { replica: replicaLabel(r), outcome: 'response' })).toBeGreaterThanOrEqual(5)
    }

    // A query string right after the prefix, and the replicas' own probes kept private.
    const page = await fetch(`${url}/catalog/products?limit=2`)
    expect(page.status).toBe(200)
    expect((await page.json() as { items: unknown[] }).items).toHaveLength(2)
    expect((await fetch(`${url}/catalog/health/ready`)).status).toBe(404)
    expect((await fetch(`${url}/catalog/metrics`)).status).toBe(404)
  })

  it('moves traffic to the surviving replica when one is killed, and back when it returns', async () => {
    await ensureBothRunning()
    const [victim, survivor] = replicas
    const { url, registry } = await buildGateway({ CATALOG_UPSTREAMS: replicas.map((r) => r.url).join(',') })
    const statuses: number[] = []
    const traffic = { running: true }
    const load = Promise.all(Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; traffic.running; i++) {
        const res = await fetch(`${url}/catalog/products/${1 + ((worker * 7 + i) % 50)}`)
        statuses.push(res.status)
        await res.arrayBuffer()
      }
    }))
    await new Promise((resolve) => setTimeout(resolve, 300))
    await victim.stop()
    await eventually(async () => await metricValue(registry, 'gateway_upstream_replica_healthy', { replica: replicaLabel(victim) }) === 0, 2000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const failedWhileDown = statuses.filter((s) => s !== 200).length
    const servedBySurvivor = await metricValue(registry, 'gateway_upstream_requests_total', { replica: replicaLabel(survivor), outcome: 'response' })

    await victim.start()
    await eventually(async () => await metricValue(registry, 'gateway_upstream_replica_healthy', { replica: replicaLabel(victim) }) === 1, 3000)
    const victimBefore = await metricValue(registry, 'gateway_upstream_requests_total', { replica: replicaLabel(victim), outcome: 'response' })
    await new Promise((resolve) => setTimeout(resolve, 500))
    traffic.running = false
    await load
    const victimAfter = await metricValue(registry, 'gateway_upstream_requests_total', { replica: replicaLabel(victim), outcome: 'response' })

    expect(statuses.length).toBeGreaterThan(50)
    expect(failedWhileDown).toBeLessThanOrEqual(3)
    expect(servedBySurvivor).toBeGreaterThan(20)
    expect(victimAfter - victimBefore).toBeGreaterThan(5)
  })

  it('answers 503 fast with both replicas down, opens the breaker, and closes it when the catalog returns', async () => {
    await ensureBothRunning()
    const { url, registry } = await buildGateway({
      CATALOG_UPSTREAMS: replicas.map((r) => r.url).join(','),
      UPSTREAM_TIMEOUT_MS: '500',
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '1000'
    })
    expect((await fetch(`${url}/catalog/products/1`)).status).toBe(200)
    await Promise.all(replicas.map(async (r) => { await r.stop() }))

    for (let i = 0; i < 6; i++) {
      const started = performance.now()
      const res = await fetch(`${url}/catalog/products/1`)
      expect(res.status).toBe(503)
      expect(performance.now() - started).toBeLessThan(500)
      const body = await res.json() as { code: string }
      expect(['GATEWAY_UPSTREAM_UNAVAILABLE', 'GATEWAY_NO_HEALTHY_REPLICA']).toContain(body.code)
    }
    expect(await metricValue(registry, 'circuit_breaker_state', { breaker: 'catalog' })).toBe(2)
    const res = await fetch(`${url}/catalog/products/1`)
    expect(res.headers.get('retry-after')).toBe('1')

    await Promise.all(replicas.map(async (r) => { await r.start() }))
    await eventually(async () => {
      const probe = await fetch(`${url}/catalog/products/1`)
      await probe.arrayBuffer()
      return probe.status === 200
    }, 5000)
    expect(await metricValue(registry, 'circuit_breaker_state', { breaker: 'catalog' })).toBe(0)
    expect(await metricValue(registry, 'circuit_breaker_transitions_total', { breaker: 'catalog', to: 'open' })).toBeGreaterThanOrEqual(1)
    expect(await metricValue(registry, 'circuit_breaker_transitions_total', { breaker: 'catalog', to: 'closed' })).toBeGreaterThanOrEqual(1)
  })
})
