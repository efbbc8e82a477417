import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, eventually, listenOnFreePort, metricValue, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp as buildCatalog } from '../../services/catalog/src/app.js'
import { loadCatalogConfig } from '../../services/catalog/src/config.js'
import { catalogEnv } from '../../services/catalog/test/build.js'
import { buildGateway } from '../../gateway/test/build.js'
import { validateScenario } from '../lib/scenario.js'
import { runScenario } from '../src/driver.js'
import { loadScenario } from '../src/scenarios.js'

/**
 * The native driver against a real gateway in front of a real catalog (PostgreSQL, Redis), both in this
 * process on their own database and key prefixes: short, low-rate runs of the browse and burst
 * scenarios, whose reports must agree with what the gateway itself counted.
 */
let db: TestDatabase
let catalog: LabApp
let catalogUrl: string

beforeAll(async () => {
  db = await createDatabase('load_driver')
  catalog = await buildCatalog(loadCatalogConfig(catalogEnv(db, { SEED_PRODUCTS: '200', SEED_REVIEWS: '1000' })))
  catalogUrl = await listenOnFreePort(catalog)
})

/**
 * The catalog, the gateway and the load all share this process's event loop: looser timeouts and health
 * checks than the gateway helper's, or a cold cache miss would take the only replica out of rotation.
 */
const gatewayEnv = (env: Record<string, string> = {}) => ({
  CATALOG_UPSTREAMS: catalogUrl,
  UPSTREAM_TIMEOUT_MS: '5000',
  HEALTH_CHECK_INTERVAL_MS: '1000',
  HEALTH_CHECK_TIMEOUT_MS: '2000',
  ...env
})

afterAll(async () => {
  await catalog.close()
  await db.drop()
})

describe('runScenario', () => {
  it('browses at the asked rate: every iteration sent and answered once, as the gateway counted them', async () => {
    const { url, registry } = await buildGateway(gatewayEnv())
    const scenario = validateScenario({ ...loadScenario('browse'), rate: 20, durationSeconds: 2, vus: 20, params: { products: 200, zipfExponent: 1.1 } }, 'browse')
    const report = await runScenario(scenario, { baseUrl: url })

    expect(report.iterations.sent).toBe(40)
    expect(report.iterations.unfinished).toBe(0)
    // A cold miss can hold a connection's second request back past the window: at most a few.
    expect(report.iterations.sentInWindow).toBeGreaterThanOrEqual(36)
    expect(report.answered).toBe(40)
    expect(report.statuses).toEqual({ 200: 40 })
    expect(report.requests.map((r) => [r.name, r.answered, r.noAnswer])).toEqual([['product', 40, 0]])
    expect(report.all.count).toBe(40)
    expect(report.all.p50).toBeLessThanOrEqual(report.all.p99)
    expect(report.all.p99).toBeLessThanOrEqual(report.all.max)
    // Paced over 20 one-connection instances: about 20/s (less when cold misses hold a connection back
    // on a busy machine), never the 40 at once of an unpaced run.
    expect(report.achievedRate).toBeGreaterThan(15)
    expect(report.achievedRate).toBeLessThan(23)
    expect(report.errorRate).toBe(0)
    // Every product page says whether the catalog's cache served it; the hottest ids repeat, so some hit.
    expect(Object.values(report.cache ?? {}).reduce((a, b) => a + b, 0)).toBe(40)
    expect(report.cache?.hit).toBeGreaterThan(0)
    expect(report.verdicts.find((v) => v.label === 'error rate')).toMatchObject({ pass: true, value: 0 })
    // The gateway counts an answer once it is sent (onResponse): the last one may lag the client a little.
    await eventually(async () => await metricValue(registry, 'http_server_requests_total') >= 40 || undefined)
    expect(await metricValue(registry, 'http_server_requests_total', { status_code: '200' })).toBe(40)
  })

  it('bursts past the rate limit: the 429s counted, the allowed rate near the limit, the verdicts from those counts', async () => {
    const { url, registry } = await buildGateway(gatewayEnv({ RATE_LIMIT_MAX: '20', RATE_LIMIT_WINDOW_MS: '1000' }))
    const scenario = validateScenario({
      ...loadScenario('burst'),
      rate: 100,
      durationSeconds: 2,
      vus: 20,
      thresholds: [
        { metric: 'status', status: 429, stat: 'share', min: 0.6 },
        // The sliding window lets a little more through at the edges of a run this short; unlimited would be 100/s.
        { metric: 'status', status: 200, stat: 'perSecond', max: 20 * 1.5 },
        { metric: 'errors', stat: 'rate', max: 0 }
      ]
    }, 'burst')
    const report = await runScenario(scenario, { baseUrl: url })

    expect(report.iterations.sent).toBe(200)
    expect(report.answered).toBe(200)
    const allowed = report.statuses[200] ?? 0
    const limited = report.statuses[429] ?? 0
    expect(allowed + limited).toBe(200)
    expect(report.requests[0]?.byStatus).toEqual({ 200: allowed, '429 GATEWAY_RATE_LIMITED': limited })
    // 20 per second over about 2 s, give or take the sliding window's first and last partial windows.
    expect(allowed).toBeGreaterThanOrEqual(30)
    expect(allowed).toBeLessThanOrEqual(60)
    expect(report.verdicts.map((v) => [v.label, v.pass])).toEqual([['share of 429', true], ['200 per second', true], ['error rate', true]])
    expect(report.verdicts[0]?.value).toBeCloseTo(100 * limited / 200, 6)
    expect(report.verdicts[1]?.value).toBeCloseTo(allowed / report.elapsedSeconds, 6)
    expect(report.passed).toBe(true)
    // Second by second: the same answers, limited in every second of the burst.
    expect(report.timeline.reduce((n, s) => n + s.answers, 0)).toBe(200)
    expect(report.timeline.reduce((n, s) => n + (s.byStatus[429] ?? 0), 0)).toBe(limited)
    expect(report.timeline.slice(0, 2).every((s) => (s.byStatus[429] ?? 0) > 0)).toBe(true)
    // Only the answers the catalog gave carry x-cache; the gateway's 429s never reached it.
    expect(Object.values(report.cache ?? {}).reduce((a, b) => a + b, 0)).toBe(allowed)
    // Every 429 says when to come back.
    expect(report.rateLimited).toEqual({ answers: limited, withRetryAfter: limited })
    await eventually(async () => await metricValue(registry, 'http_server_requests_total') >= 200 || undefined)
    expect(await metricValue(registry, 'http_server_requests_total', { status_code: '429' })).toBe(limited)
    expect(await metricValue(registry, 'http_server_requests_total', { status_code: '200' })).toBe(allowed)
    expect(await metricValue(registry, 'gateway_rate_limit_decisions_total', { decision: 'rejected' })).toBe(limited)
  })
})
