import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { ConfigError, createBaseApp, type LabApp } from '@lab/platform'
import { listenOnFreePort, testInfra, uniqueName } from '@lab/testkit'
import { buildApp } from '../src/app.js'
import { loadGatewayConfig } from '../src/config.js'

/** A catalog replica as the gateway sees it: a real server answering readiness and a product page. */
let upstream: LabApp
let upstreamUrl: string
beforeAll(async () => {
  upstream = await createBaseApp({ logger: { service: 'upstream', level: 'silent', pretty: false }, registry: new Registry(), defaultMetrics: false })
  upstream.get('/products/:id', async (request) => ({ id: (request.params as { id: string }).id }))
  upstreamUrl = await listenOnFreePort(upstream)
})
afterAll(async () => { await upstream.close() })

/** A gateway in front of that replica whose JSON log lines the test keeps. */
async function gateway (env: Record<string, string> = {}): Promise<{ url: string, registry: Registry, lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL: testInfra().redisUrl,
    RATE_LIMIT_KEY_PREFIX: `${uniqueName('gw-obs')}:`,
    CATALOG_UPSTREAMS: upstreamUrl,
    HEALTH_CHECK_INTERVAL_MS: '100',
    ...env
  })
  const registry = new Registry()
  const app = await buildApp(config, { registry, defaultMetrics: false, logger: { stream } })
  const url = await listenOnFreePort(app)
  onTestFinished(async () => { await app.close() })
  return { url, registry, lines }
}

async function productPage (url: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(`${url}/catalog/products/7`, { headers })
  expect(res.status).toBe(200)
  return res
}

describe('gateway logs', () => {
  it('carry the request id on the lines of a request: the caller\'s, or the one the gateway made and echoed', async () => {
    const gw = await gateway()
    await productPage(gw.url, { 'x-request-id': 'obs-given-1' })
    const made = (await productPage(gw.url)).headers.get('x-request-id')
    expect(made).toMatch(/^[0-9a-f-]{36}$/)
    for (const reqId of ['obs-given-1', made]) {
      expect(gw.lines.filter((l) => l.reqId === reqId)).toContainEqual(expect.objectContaining({ service: 'gateway', msg: 'request completed', url: '/catalog/products/7', statusCode: 200 }))
    }
    // Every line about a URL a client asked for is a request's line, and has its id.
    const requestLines = gw.lines.filter((l) => typeof l.url === 'string' && String(l.url).startsWith('/catalog/'))
    expect(requestLines.length).toBeGreaterThanOrEqual(2)
    for (const line of requestLines) expect(line.reqId).toEqual(expect.any(String))
  })
})

describe('the gateway\'s metrics switch', () => {
  it('records RED and upstream metrics on the hit path by default', async () => {
    const gw = await gateway()
    await productPage(gw.url)
    const exposed = await gw.registry.metrics()
    expect(exposed).toMatch(/http_server_requests_total\{route="\/catalog\/products\/\*",method="GET",status_code="200",instance_id="gateway"\} 1/)
    expect(exposed).toMatch(/gateway_upstream_requests_total\{upstream="catalog",replica="[^"]+",outcome="response",instance_id="gateway"\} 1/)
  })

  it('with METRICS_ENABLED=false still serves and echoes request ids, but records no per-request series', async () => {
    const gw = await gateway({ METRICS_ENABLED: 'false' })
    const res = await productPage(gw.url, { 'x-request-id': 'obs-no-metrics' })
    expect(res.headers.get('x-request-id')).toBe('obs-no-metrics')
    const exposed = await gw.registry.metrics()
    expect(exposed).not.toMatch(/http_server_requests_total\{/)
    expect(exposed).not.toMatch(/http_server_request_duration_seconds_count\{/)
    expect(exposed).not.toContain('gateway_upstream_requests_total')
    expect(exposed).not.toContain('gateway_upstream_outstanding_requests')
    // What changes only with state stays: replica health and the breakers.
    expect(exposed).toMatch(/gateway_upstream_replica_healthy\{upstream="catalog"/)
    expect(exposed).toContain('circuit_breaker_state')
  })

  it('is validated at boot: a value that is not a boolean names the variable', () => {
    expect(() => loadGatewayConfig({ CATALOG_UPSTREAMS: 'http://127.0.0.1:1', METRICS_ENABLED: 'sometimes' })).toThrow(ConfigError)
    expect(() => loadGatewayConfig({ CATALOG_UPSTREAMS: 'http://127.0.0.1:1', METRICS_ENABLED: 'sometimes' })).toThrow(/METRICS_ENABLED/)
    expect(loadGatewayConfig({ CATALOG_UPSTREAMS: 'http://127.0.0.1:1' }).METRICS_ENABLED).toBe(true)
  })
})
