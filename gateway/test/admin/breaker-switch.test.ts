import { createServer } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listenOnFreePort } from '@lab/testkit'
import { buildGateway, metricValue } from '../build.js'
import { ADMIN_TOKEN, auth } from './chaos-setup.js'

/** An upstream that is ready but fails every request with a 500, counting what reaches it. */
async function failingUpstream (): Promise<{ url: string, received: () => number }> {
  let received = 0
  const server = createServer((req, res) => {
    if (req.url === '/health/ready') return res.writeHead(200).end('{}')
    received++
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"statusCode":500}')
  })
  const url = await listenOnFreePort(server)
  onTestFinished(() => { server.close() })
  return { url, received: () => received }
}

describe('the breaker switch', () => {
  it('breaker-catalog off: every request reaches the failing upstream; on again, the breaker opens and spares it', async () => {
    const upstream = await failingUpstream()
    const { app, registry } = await buildGateway({
      CATALOG_UPSTREAMS: upstream.url,
      ADMIN_TOKEN,
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '60000'
    })
    const burst = async () => { for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: '/catalog/products/1' }) }

    const off = await app.inject({ method: 'PUT', url: '/admin/chaos/services/gateway/switches', headers: auth, payload: { 'breaker-catalog': false } })
    expect(off.json()).toMatchObject({ instances: [{ body: { 'breaker-catalog': false } }] })
    expect(await metricValue(registry, 'lab_pattern_enabled', { pattern: 'breaker-catalog' })).toBe(0)
    await burst()
    expect(upstream.received()).toBe(20)
    expect(await metricValue(registry, 'circuit_breaker_state', { breaker: 'catalog' })).toBe(0)

    await app.inject({ method: 'DELETE', url: '/admin/chaos/services/gateway/switches', headers: auth })
    expect(await metricValue(registry, 'lab_pattern_enabled', { pattern: 'breaker-catalog' })).toBe(1)
    await burst()
    // Opens once the window holds 3 calls, more than half failed: the upstream sees a handful, not 20.
    expect(upstream.received() - 20).toBeLessThanOrEqual(5)
    expect(await metricValue(registry, 'circuit_breaker_state', { breaker: 'catalog' })).toBe(2)
  })
})
