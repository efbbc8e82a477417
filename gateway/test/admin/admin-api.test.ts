import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, eventually, expectErrorBody, startService, tempDatabase, type TestDatabase } from '@lab/testkit'
import { loadGatewayConfig } from '../../src/config.js'
import { auth, startChaosLab } from './chaos-setup.js'

let db: TestDatabase

beforeAllWithTeardown(async () => { db = await tempDatabase('gw_admin') })

describe('the admin API front door', () => {
  it('takes only an admin credential of at least 16 URL-safe characters, naming ADMIN_TOKEN otherwise', () => {
    for (const token of ['short', 'has spaces in it, 16+ chars']) {
      expect(() => loadGatewayConfig({ CATALOG_UPSTREAMS: 'http://127.0.0.1:9', ADMIN_TOKEN: token })).toThrow(/ADMIN_TOKEN/)
    }
    expect(loadGatewayConfig({ CATALOG_UPSTREAMS: 'http://127.0.0.1:9', ADMIN_TOKEN: 'lab-admin-token-change-me' }).ADMIN_TOKEN).toBe('lab-admin-token-change-me')
  })

  it('answers 401 without a credential, 403 with a wrong one and 200 with the lab admin credential, unknown admin paths included', async () => {
    const { gateway } = await startChaosLab(db)
    for (const url of ['/admin/chaos', '/admin/chaos/services/catalog/switches', '/admin/no-such-thing']) {
      const none = await gateway.inject({ method: 'GET', url })
      expect(none.statusCode, url).toBe(401)
      expect(none.headers['www-authenticate']).toContain('Bearer')
      expectErrorBody(none.json(), 401, 'GATEWAY_ADMIN_CREDENTIAL_MISSING')
      const basic = await gateway.inject({ method: 'GET', url, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } })
      expect(basic.statusCode, url).toBe(401)
      const wrong = await gateway.inject({ method: 'GET', url, headers: { authorization: 'Bearer not-the-lab-token' } })
      expect(wrong.statusCode, url).toBe(403)
      expectErrorBody(wrong.json(), 403, 'GATEWAY_ADMIN_CREDENTIAL_WRONG')
    }
    const unsafe = await gateway.inject({ method: 'POST', url: '/admin/chaos/reset' })
    expect(unsafe.statusCode).toBe(401)
    const ok = await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ healthy: true })
    expect((await gateway.inject({ method: 'GET', url: '/admin/no-such-thing', headers: auth })).statusCode).toBe(404)
  })

  it('refuses bad input with a 4xx and a JSON error body, changing nothing', async () => {
    const { gateway, redis } = await startChaosLab(db)
    const cases: Array<{ method: 'PUT' | 'GET', url: string, payload?: unknown, status: number, code: string }> = [
      { method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/latency`, payload: { latencyMs: '200' }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/latency`, payload: { latencyMs: -1 }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/latency`, payload: { latencyMs: 10, extra: 1 }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/bandwidth`, payload: {}, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: '/admin/chaos/proxies/no-such-proxy/latency', payload: { latencyMs: 10 }, status: 404, code: 'GATEWAY_ADMIN_UNKNOWN_PROXY' },
      { method: 'PUT', url: '/admin/chaos/services/catalog/switches', payload: { cache: 'off' }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: '/admin/chaos/services/catalog/switches', payload: { 'no-such-pattern': false }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: '/admin/chaos/services/gateway/switches', payload: { 'no-such-pattern': false }, status: 400, code: 'GATEWAY_ADMIN_UNKNOWN_SWITCH' },
      { method: 'PUT', url: '/admin/chaos/services/catalog/faults', payload: { slowQueryMs: 99_999 }, status: 400, code: 'FST_ERR_VALIDATION' },
      { method: 'PUT', url: '/admin/chaos/services/nope/readiness', payload: { answering: false }, status: 404, code: 'GATEWAY_ADMIN_UNKNOWN_SERVICE' },
      { method: 'GET', url: '/admin/chaos/services/catalog/switches?instance=catalog-9', status: 404, code: 'GATEWAY_ADMIN_UNKNOWN_INSTANCE' }
    ]
    for (const c of cases) {
      const res = await gateway.inject({ method: c.method, url: c.url, headers: auth, payload: c.payload as object })
      expect(res.statusCode, `${c.method} ${c.url} ${JSON.stringify(c.payload)}`).toBe(c.status)
      const body = res.json<{ code: string }>()
      // Validation errors are answered by the service that validates (gateway or catalog): code VALIDATION_FAILED or the catalog's.
      if (c.code === 'FST_ERR_VALIDATION') expect(body.code).toMatch(/VALIDATION/)
      else expect(body.code).toBe(c.code)
    }
    expect((await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })).json()).toMatchObject({ healthy: true })
  })
})

describe('faults applied through the admin API, observed through the gateway', () => {
  it('redis down: the catalog still answers (x-cache: bypass), the status lists the proxy as down, reset heals it', async () => {
    const { gateway, redis } = await startChaosLab(db)
    expect((await gateway.inject({ method: 'GET', url: '/catalog/products/7' })).headers['x-cache']).toBe('miss')

    const down = await gateway.inject({ method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/down`, headers: auth })
    expect(down.statusCode).toBe(200)
    expect(down.json()).toMatchObject({ name: redis.name, enabled: false })
    const during = await gateway.inject({ method: 'GET', url: '/catalog/products/7' })
    expect(during.statusCode).toBe(200)
    expect(during.headers['x-cache']).toBe('bypass')
    const status = (await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })).json<{ healthy: boolean, proxies: Array<{ name: string, enabled: boolean }> }>()
    expect(status.healthy).toBe(false)
    expect(status.proxies).toContainEqual(expect.objectContaining({ name: redis.name, enabled: false }))

    const reset = await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })
    expect(reset.statusCode).toBe(200)
    expect(reset.json()).toMatchObject({ healthy: true })
    // The breaker probes Redis again after its reset timeout (1 s here): hits come back.
    await eventually(async () => (await gateway.inject({ method: 'GET', url: '/catalog/products/7' })).headers['x-cache'] === 'hit', 10_000, 'x-cache: hit after reset')
  })

  it('redis timeout, reset-peer and bandwidth toxics: each listed with its settings; under the first two the catalog answers from Postgres (x-cache: bypass)', async () => {
    const { gateway, redis } = await startChaosLab(db, { gatewayEnv: { UPSTREAM_TIMEOUT_MS: '5000' } })
    expect((await gateway.inject({ method: 'GET', url: '/catalog/products/41' })).headers['x-cache']).toBe('miss')
    const faults = [
      { fault: 'timeout', payload: { timeoutMs: 0 }, toxic: { type: 'timeout', attributes: { timeout: 0 } }, cache: 'bypass' },
      { fault: 'reset-peer', payload: {}, toxic: { type: 'reset_peer', attributes: { timeout: 0 } }, cache: 'bypass' },
      { fault: 'bandwidth', payload: { rateKBps: 1000 }, toxic: { type: 'bandwidth', attributes: { rate: 1000 } }, cache: 'hit' }
    ]
    for (const f of faults) {
      const res = await gateway.inject({ method: 'PUT', url: `/admin/chaos/proxies/${redis.name}/${f.fault}`, headers: auth, payload: f.payload })
      expect(res.statusCode, f.fault).toBe(200)
      expect(res.json<{ toxics: unknown[] }>().toxics, f.fault).toEqual([expect.objectContaining({ ...f.toxic, stream: 'downstream' })])
      const read = await gateway.inject({ method: 'GET', url: '/catalog/products/41' })
      expect(read.statusCode, f.fault).toBe(200)
      expect(read.headers['x-cache'], f.fault).toBe(f.cache)
      expect((await gateway.inject({ method: 'DELETE', url: `/admin/chaos/proxies/${redis.name}`, headers: auth })).json()).toMatchObject({ enabled: true, toxics: [] })
      // Each fault on a Redis that answers again: the breaker (1 s reset here) lets hits back first.
      await eventually(async () => (await gateway.inject({ method: 'GET', url: '/catalog/products/41' })).headers['x-cache'] === 'hit', 10_000, `hits after ${f.fault}`)
    }
  })

  it('postgres latency 200 ms: a cache miss takes at least 200 ms more; removing the toxic restores it', async () => {
    // Timeouts well above the toxic's latency: a loaded machine must not turn slow into 504, nor the
    // replica's readiness (which pings Postgres) into "out of rotation".
    const { gateway, postgres } = await startChaosLab(db, { gatewayEnv: { UPSTREAM_TIMEOUT_MS: '5000', HEALTH_CHECK_TIMEOUT_MS: '3000' } })
    const timed = async (id: number) => {
      const started = performance.now()
      const res = await gateway.inject({ method: 'GET', url: `/catalog/products/${id}` })
      expect(res.headers['x-cache'], `${res.statusCode} ${res.body}`).toBe('miss')
      return performance.now() - started
    }
    await timed(11)
    const slow = await gateway.inject({ method: 'PUT', url: `/admin/chaos/proxies/${postgres.name}/latency`, headers: auth, payload: { latencyMs: 200 } })
    expect(slow.json()).toMatchObject({ toxics: [expect.objectContaining({ type: 'latency', attributes: expect.objectContaining({ latency: 200 }) })] })
    expect(await timed(12)).toBeGreaterThanOrEqual(200)
    expect((await gateway.inject({ method: 'DELETE', url: `/admin/chaos/proxies/${postgres.name}`, headers: auth })).json()).toMatchObject({ enabled: true, toxics: [] })
    // Best of three (other tests share the two cores): without the toxic a miss takes a few ms.
    const healed = Math.min(await timed(13), await timed(14), await timed(15))
    expect(healed).toBeLessThan(200)
  })

  it('a slow catalog query and the cache switched off: misses slow down, then every read is x-cache: off; both listed, then reset', async () => {
    const { gateway } = await startChaosLab(db, { gatewayEnv: { UPSTREAM_TIMEOUT_MS: '5000' } })
    const slow = await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/catalog/faults', headers: auth, payload: { slowQueryMs: 300 } })
    expect(slow.json()).toMatchObject({ service: 'catalog', instances: [{ instance: 'catalog', statusCode: 200, body: { slowQueryMs: 300 } }] })
    const started = performance.now()
    expect((await gateway.inject({ method: 'GET', url: '/catalog/products/21' })).headers['x-cache']).toBe('miss')
    expect(performance.now() - started).toBeGreaterThanOrEqual(300)

    await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/catalog/switches', headers: auth, payload: { cache: false } })
    for (let i = 0; i < 2; i++) expect((await gateway.inject({ method: 'GET', url: '/catalog/products/21' })).headers['x-cache']).toBe('off')
    const status = (await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })).json<{ instances: unknown[] }>()
    expect(status.instances).toContainEqual(expect.objectContaining({ instance: 'catalog', faults: { slowQueryMs: 300 }, switchesOff: ['cache'] }))

    expect((await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })).json()).toMatchObject({ healthy: true })
    expect((await gateway.inject({ method: 'GET', url: '/catalog/products/21' })).headers['x-cache']).toBe('hit')
  })

  it('readiness off on one replica: the gateway takes it out of rotation; answering again brings it back', async () => {
    const { gateway } = await startChaosLab(db, { replicas: 2 })
    const replicas = gateway.upstreams.get('catalog')?.replicas ?? []
    await eventually(() => replicas.every((r) => r.healthy), 5000, 'both replicas in rotation')
    const off = await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/catalog/readiness?instance=catalog-2', headers: auth, payload: { answering: false } })
    expect(off.json()).toMatchObject({ instances: [{ instance: 'catalog-2', body: { answering: false } }] })
    await eventually(() => replicas[1]?.healthy === false, 5000, 'catalog-2 out of rotation')
    expect(replicas[0]?.healthy).toBe(true)
    expect((await gateway.inject({ method: 'GET', url: '/catalog/products/3' })).statusCode).toBe(200)
    await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })
    await eventually(() => replicas[1]?.healthy === true, 5000, 'catalog-2 back in rotation')
  })

  it('the gateway\'s own readiness off: /health/ready answers 503 while the admin API keeps working; reset restores it', async () => {
    const { gateway } = await startChaosLab(db)
    await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/gateway/readiness', headers: auth, payload: { answering: false } })
    expect((await gateway.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503)
    const status = (await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })).json<{ healthy: boolean, instances: unknown[] }>()
    expect(status).toMatchObject({ healthy: false })
    expect(status.instances).toContainEqual(expect.objectContaining({ instance: 'gateway', answering: false }))
    await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })
    await eventually(async () => (await gateway.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200, 5000, 'gateway ready again')
  })

  it('rate limiting switched off lets a burst through; on again, the burst is limited', async () => {
    const { gateway } = await startChaosLab(db, { gatewayEnv: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } })
    const burst = async () => {
      const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await gateway.inject({ method: 'GET', url: '/catalog/products/5' })).statusCode))
      return statuses.filter((s) => s === 429).length
    }
    const off = await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/gateway/switches', headers: auth, payload: { 'rate-limit-sliding-window': false } })
    expect(off.json()).toMatchObject({ instances: [{ instance: 'gateway', body: { 'rate-limit-sliding-window': false, 'rate-limit': true } }] })
    expect(await burst()).toBe(0)
    await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })
    expect(await burst()).toBeGreaterThanOrEqual(3)
  })
})

describe('the services\' admin routes', () => {
  it('stay unreachable through the public routes: only the admin API, with the credential, reaches them', async () => {
    const { gateway, catalogs } = await startChaosLab(db)
    for (const url of ['/catalog/admin/switches', '/catalog/products/../admin/switches', '/catalog/products/%2e%2e/admin/switches', '/catalog/products/..%2f..%2fadmin%2fswitches']) {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const res = await gateway.inject({ method, url, payload: method === 'PUT' ? { cache: false } : undefined })
        expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400)
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500)
      }
    }
    // The replica itself, asked directly: every switch still on.
    expect(await (await fetch(`${catalogs[0]?.url ?? ''}/admin/switches`)).json()).toEqual({ cache: true, 'single-flight': true, 'negative-cache': true })
  })

  it('provider errors 100% through the admin API: the provider refuses charges with 503 until reset', async () => {
    // The provider in its own process, as in the lab; the charges below are sent to it directly.
    const provider = await startService('provider', { LOG_LEVEL: 'error', PROVIDER_WEBHOOK_SECRET: 'gateway-test-webhook-secret-0123' })
    const { gateway } = await startChaosLab(db, { gatewayEnv: { PROVIDER_ADMIN_URL: provider.url } })
    const charge = async () => {
      const body = { chargeId: randomUUID(), amountCents: 1299, currency: 'EUR', callbackUrl: 'http://127.0.0.1:9/callback' }
      const res = await fetch(`${provider.url}/charges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      await res.arrayBuffer()
      return res.status
    }
    const on = await gateway.inject({ method: 'PUT', url: '/admin/chaos/services/provider/faults', headers: auth, payload: { errorRate: 1 } })
    expect(on.json()).toMatchObject({ instances: [{ instance: 'provider', statusCode: 200, body: { errorRate: 1 } }] })
    expect(await charge()).toBe(503)
    const status = (await gateway.inject({ method: 'GET', url: '/admin/chaos', headers: auth })).json<{ instances: unknown[] }>()
    expect(status.instances).toContainEqual(expect.objectContaining({ instance: 'provider', faults: { errorRate: 1 } }))
    await gateway.inject({ method: 'POST', url: '/admin/chaos/reset', headers: auth })
    expect(await charge()).not.toBe(503)
  })
})
