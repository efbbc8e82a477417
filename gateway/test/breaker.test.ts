import { createServer, type Server } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listenOnFreePort } from '@lab/testkit'
import { buildGateway, metricValue } from './build.js'

/** An upstream that accepts connections and never answers: the worst kind of dependency. */
async function hangingUpstream (): Promise<{ url: string, server: Server }> {
  const server = createServer(() => { /* accept and say nothing */ })
  const url = await listenOnFreePort(server)
  onTestFinished(() => { server.close() })
  return { url, server }
}

describe('gateway circuit breaker', () => {
  it('answers a hanging upstream within its timeout, then fails fast with 503 once the breaker opens', async () => {
    const upstream = await hangingUpstream()
    // The health checks of a hanging upstream would also fail; keep the replica in rotation so the
    // breaker, not the health checks, is what this test sees.
    const { url, registry } = await buildGateway({
      CATALOG_UPSTREAMS: upstream.url,
      UPSTREAM_TIMEOUT_MS: '300',
      HEALTH_UNHEALTHY_THRESHOLD: '1000000',
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '60000'
    })

    const slow: number[] = []
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      const res = await fetch(`${url}/catalog/products/1`)
      slow.push(performance.now() - started)
      expect(res.status).toBe(504)
      expect((await res.json() as { code: string }).code).toBe('GATEWAY_UPSTREAM_TIMEOUT')
    }
    for (const ms of slow) expect(ms).toBeLessThan(300 + 250)
    expect(await metricValue(registry, 'circuit_breaker_state', { breaker: 'catalog' })).toBe(2)

    const started = performance.now()
    const res = await fetch(`${url}/catalog/products/1`)
    const elapsed = performance.now() - started
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('60')
    const body = await res.json() as { requestId: unknown }
    expect(body).toMatchObject({ statusCode: 503, code: 'GATEWAY_UPSTREAM_UNAVAILABLE' })
    expect(typeof body.requestId).toBe('string')
    expect(elapsed).toBeLessThan(100)
    expect(await metricValue(registry, 'circuit_breaker_rejected_total', { breaker: 'catalog' })).toBe(1)
    // Counted once: the gateway's own rejection counter keeps only what the breaker does not see.
    expect(await metricValue(registry, 'gateway_upstream_rejected_total')).toBe(0)
  })
})
