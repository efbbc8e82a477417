import { describe, expect, it } from 'vitest'
import { uniqueName } from '@lab/testkit'
import { buildGateway } from './build.js'

// Rejected requests never reach the upstream, so none is needed: allowed ones get the gateway's 503.
const NOWHERE = 'http://127.0.0.1:9'

describe('gateway rate limiting', () => {
  for (const algorithm of ['fixed-window', 'sliding-window', 'token-bucket']) {
    it(`${algorithm}: holds the limit across two gateway instances sharing Redis, then answers 429 with headers`, async () => {
      const env = {
        CATALOG_UPSTREAMS: NOWHERE,
        RATE_LIMIT_ALGORITHM: algorithm,
        RATE_LIMIT_MAX: '5',
        RATE_LIMIT_WINDOW_MS: '60000',
        RATE_LIMIT_KEY_PREFIX: `${uniqueName('gw_rl')}:`,
        HEALTH_UNHEALTHY_THRESHOLD: '1000000'
      }
      const [a, b] = await Promise.all([buildGateway(env), buildGateway(env)])
      const statuses: number[] = []
      let rejected: Response | undefined
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${(i % 2 === 0 ? a : b).url}/catalog/products/1`)
        statuses.push(res.status)
        if (res.status === 429) rejected ??= res
        else await res.arrayBuffer()
      }
      expect(statuses.filter((s) => s !== 429)).toHaveLength(5)
      expect(statuses.slice(5).every((s) => s === 429)).toBe(true)
      // The current httpapi draft's fields, named after the algorithm; Retry-After as RFC 9110 has it.
      expect(rejected?.headers.get('ratelimit-policy')).toBe(`"${algorithm}";q=5;w=60`)
      expect(rejected?.headers.get('ratelimit')).toMatch(new RegExp(`^"${algorithm}";r=0;t=[1-9][0-9]*$`))
      expect(Number(rejected?.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await rejected?.json()).toMatchObject({ statusCode: 429, code: 'GATEWAY_RATE_LIMITED', error: 'Too Many Requests' })
    })
  }

  it('never limits health checks or /metrics', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE, RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '60000' })
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${url}/health/live`)).status).toBe(200)
      expect((await fetch(`${url}/metrics`)).status).toBe(200)
    }
  })
})
