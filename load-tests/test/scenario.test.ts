import { describe, expect, it } from 'vitest'
import { validateScenario, withOverrides, type Scenario } from '../lib/scenario.js'
import { createIterationRequest, uuidFrom } from '../lib/requests.js'
import { seededRandom } from '../lib/zipf.js'
import { loadScenario, scenarioNames } from '../src/scenarios.js'

const valid = (): Record<string, unknown> => structuredClone(loadScenario('browse')) as unknown as Record<string, unknown>

describe('scenario files', () => {
  it('define the five scenarios of the issue, each valid', () => {
    expect(scenarioNames()).toEqual(['browse', 'burst', 'checkout', 'flash-sale', 'transfers'])
    for (const name of scenarioNames()) expect(loadScenario(name).name).toBe(name)
  })

  it('expect the burst to be refused with 429 and keep its allowed rate near the gateway\'s default limit of 100/s', () => {
    const burst = loadScenario('burst')
    expect(burst.expectedStatuses).toContain(429)
    expect(burst.rate).toBeGreaterThanOrEqual(5 * 100)
    expect(burst.thresholds).toContainEqual({ metric: 'status', status: 429, stat: 'share', min: 0.6 })
  })
})

describe('validateScenario', () => {
  it('names every problem and its field in one error', () => {
    const bad = { ...valid(), rate: 0, flow: 'browse', vus: 'many', thresholds: [{ metric: 'latency', stat: 'p42', max: 1 }, { metric: 'status', stat: 'share', min: 0.5 }] }
    const error = (() => { try { validateScenario(bad, 'browse'); return '' } catch (err) { return (err as Error).message } })()
    expect(error).toMatch(/^scenario browse: /)
    expect(error).toContain('rate must be an integer')
    expect(error).toContain('vus must be an integer')
    expect(error).toContain('thresholds[0].stat of latency must be one of p50, p90, p95, p99, avg, max (got "p42")')
    expect(error).toContain('thresholds[1].status must be an HTTP status')
  })

  it('checks the parameters of the flow, and refuses unknown fields', () => {
    expect(() => validateScenario({ ...valid(), params: { products: 10 } }, 'browse')).toThrow(/params\.zipfExponent \(browse\) must be a number/)
    expect(() => validateScenario({ ...valid(), params: { products: 10, zipfExponent: 1, hot: 3 } }, 'browse')).toThrow(/unknown field hot for flow browse/)
    expect(() => validateScenario({ ...valid(), extra: true }, 'browse')).toThrow(/unknown field extra/)
    expect(() => validateScenario({ ...valid(), flow: 'crawl' }, 'browse')).toThrow(/flow must be one of browse, flash-sale, checkout, transfers, burst/)
    expect(() => validateScenario(valid(), 'other')).toThrow(/name must be "other", the file's name/)
    expect(() => validateScenario({ ...valid(), thresholds: [{ metric: 'errors', stat: 'rate' }] }, 'browse')).toThrow(/needs min, max or both/)
  })

  it('overrides the rate and duration, growing the VUs with the rate so arrivals stay open', () => {
    const browse = loadScenario('browse')
    const faster = withOverrides(browse, { rate: browse.rate * 2, durationSeconds: 3 })
    expect(faster).toMatchObject({ rate: browse.rate * 2, durationSeconds: 3, vus: browse.vus * 2 })
    expect(() => withOverrides(browse, { rate: 0 })).toThrow(/rate must be an integer/)
  })
})

describe('iteration requests', () => {
  const keys = seededRandom(9)
  const draws = { random: seededRandom(1), newKey: () => uuidFrom(keys) }
  const first = (scenario: Scenario) => createIterationRequest(scenario, draws)()

  it('browse GETs a product page of the seeded catalog', () => {
    const req = first(loadScenario('browse'))
    expect(req).toMatchObject({ name: 'product', method: 'GET' })
    const id = Number(req.path.replace('/catalog/products/', ''))
    expect(id >= 1 && id <= 10_000).toBe(true)
  })

  it('the flash sale POSTs one order for its product with an Idempotency-Key, a seeded customer and a card payment', () => {
    const req = first(loadScenario('flash-sale'))
    expect(req).toMatchObject({ name: 'place', method: 'POST', path: '/orders' })
    expect(req.headers?.['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const body = JSON.parse(req.body ?? '') as Record<string, unknown>
    expect(body).toMatchObject({ productId: 9999, quantity: 1, paymentMethod: 'card' })
    expect(body.customerId).toMatch(/^c-[0-9]{4}$/)
  })

  it('a transfer moves 1.00 to 10.00 between two different seeded wallets', () => {
    const next = createIterationRequest(loadScenario('transfers'), draws)
    for (let i = 0; i < 200; i++) {
      const req = next()
      const body = JSON.parse(req.body ?? '') as { fromWalletId: string, toWalletId: string, amount: string }
      expect(req.path).toBe('/payments/transfers')
      expect(body.fromWalletId).not.toBe(body.toWalletId)
      expect(Number(body.amount)).toBeGreaterThanOrEqual(1)
      expect(Number(body.amount)).toBeLessThanOrEqual(10)
      expect(body.amount).toMatch(/^\d+\.\d\d$/)
    }
  })
})
