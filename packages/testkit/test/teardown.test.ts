import { createServer } from 'node:http'
import { beforeAll, describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, listenOnFreePort, registerTeardown, scrapedMetricValue, untilFileEnds } from '../src/index.js'

const closed: string[] = []

describe('a file\'s shared fixtures (beforeAllWithTeardown)', () => {
  beforeAllWithTeardown(async () => {
    registerTeardown(() => { closed.push('started first') })
    registerTeardown(async () => { closed.push('started second') })
  })

  it('stay open while the tests run; a thing a test starts is closed when that test ends', () => {
    registerTeardown(() => { closed.push('the first test\'s') })
    expect(closed).toEqual([])
  })

  it('keeps what untilFileEnds started inside a test open for the next tests', async () => {
    expect(closed).toEqual(['the first test\'s'])
    await untilFileEnds(async () => { registerTeardown(() => { closed.push('started in a test, kept') }) })
  })

  it('has closed nothing of the file yet', () => {
    expect(closed).toEqual(['the first test\'s'])
  })
})

describe('after the file\'s tests', () => {
  it('closed every shared fixture, the last started first', () => {
    expect(closed).toEqual(['the first test\'s', 'started in a test, kept', 'started second', 'started first'])
  })
})

describe('a helper called in a plain beforeAll', () => {
  let refused: unknown
  beforeAll(() => {
    try {
      registerTeardown(() => {})
    } catch (err) {
      refused = err
    }
  })

  it('refuses to start anything it could not close, saying where to call it instead', () => {
    expect(String(refused)).toMatch(/inside a test, or inside beforeAllWithTeardown/)
  })
})

describe('scrapedMetricValue', () => {
  it('sums the samples of one metric whose labels match, from a GET /metrics in Prometheus text format', async () => {
    const server = createServer((_req, res) => {
      res.end([
        '# HELP provider_charges_total Charges.',
        '# TYPE provider_charges_total counter',
        'provider_charges_total{outcome="accepted",instance="p"} 3',
        'provider_charges_total{outcome="refused",instance="p"} 2',
        'provider_charges_total_created{outcome="accepted"} 1700000000',
        'provider_up 1',
        'provider_odd{path="a \\"quoted\\" \\\\ path"} 5',
        ''
      ].join('\n'))
    })
    const url = await listenOnFreePort(server)
    registerTeardown(() => { server.close() })
    expect(await scrapedMetricValue(url, 'provider_charges_total')).toBe(5)
    expect(await scrapedMetricValue(url, 'provider_charges_total', { outcome: 'accepted' })).toBe(3)
    expect(await scrapedMetricValue(url, 'provider_up')).toBe(1)
    expect(await scrapedMetricValue(url, 'provider_odd', { path: 'a "quoted" \\ path' })).toBe(5)
    expect(await scrapedMetricValue(url, 'provider_missing')).toBe(0)
  })
})
