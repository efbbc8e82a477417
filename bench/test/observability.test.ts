import { describe, expect, it } from 'vitest'
import { BenchUsageError, splitCommand } from '../args.js'
import type { LoadResult } from '../load.js'
import { OBSERVABILITY_USAGE, parseObservabilityArgs } from '../observability/args.js'
import { headSeriesByJob, overhead, scrapeRows, seriesByJob, topMetricNames, type SeriesFigures } from '../observability/figures.js'
import { parseTsdbStatus, parseVector, PrometheusError } from '../observability/prometheus.js'
import { overheadSection, seriesSection, seriesVerdict, trafficLines } from '../observability/report.js'
import { countAnswer, statusTotals, trafficRequest } from '../observability/traffic.js'

const vector = (result: Array<[Record<string, string>, string]>) => ({ status: 'success', data: { resultType: 'vector', result: result.map(([metric, v]) => ({ metric, value: [1796218781.6, v] })) } })

describe('./lab bench observability options', () => {
  it('is a bench command of its own, with defaults for a run of about a minute', () => {
    expect(splitCommand(['bench', 'observability', '--no-overhead'])).toEqual({ command: 'observability', args: ['--no-overhead'] })
    expect(parseObservabilityArgs([])).toEqual({
      trafficSeconds: 20, rate: 60, burstSeconds: 5, durationSeconds: 10, connections: 10, rounds: 2, prometheusUrl: 'http://127.0.0.1:9090', skipOverhead: false
    })
  })

  it('takes every option, and refuses bad ones with its own usage', () => {
    expect(parseObservabilityArgs(['--traffic', '5', '--rate=30', '--burst', '2', '--duration', '3', '--connections', '4', '--rounds', '3', '--prometheus', 'http://127.0.0.1:19090/', '--no-overhead']))
      .toEqual({ trafficSeconds: 5, rate: 30, burstSeconds: 2, durationSeconds: 3, connections: 4, rounds: 3, prometheusUrl: 'http://127.0.0.1:19090', skipOverhead: true })
    expect(() => parseObservabilityArgs(['--rounds', '0'])).toThrow(expect.objectContaining({ usage: OBSERVABILITY_USAGE }))
    expect(() => parseObservabilityArgs(['--prometheus', '127.0.0.1:9090'])).toThrow(/--prometheus must be a base URL/)
    expect(() => parseObservabilityArgs(['--series'])).toThrow(BenchUsageError)
    expect(() => parseObservabilityArgs(['-h'])).toThrow(expect.objectContaining({ message: '', usage: OBSERVABILITY_USAGE }))
  })
})

describe('Prometheus answers', () => {
  it('give an instant vector\'s labels and numeric values', () => {
    expect(parseVector(vector([[{ job: 'gateway' }, '427'], [{ job: 'catalog' }, '518']]))).toEqual([
      { labels: { job: 'gateway' }, value: 427 }, { labels: { job: 'catalog' }, value: 518 }
    ])
  })

  it('fail with Prometheus\' own error, or when the result is not a vector', () => {
    expect(() => parseVector({ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }, 'count(')).toThrow(/count\(: bad_data: parse error at char 4/)
    expect(() => parseVector({ status: 'success', data: { resultType: 'matrix', result: [] } })).toThrow(PrometheusError)
  })

  it('give the TSDB head\'s series count and its top families and labels', () => {
    const pairs = [{ name: 'job=prometheus', value: 804 }, { name: 'instance=pg', value: 5451 }, { name: 'job=postgres-exporter', value: 5451 }]
    const status = parseTsdbStatus({ status: 'success', data: { headStats: { numSeries: 3996 }, seriesCountByMetricName: [{ name: 'a', value: 3 }], labelValueCountByLabelName: [{ name: 'le', value: 75 }], seriesCountByLabelValuePair: pairs } })
    expect(status).toEqual({ numSeries: 3996, seriesCountByMetricName: [{ name: 'a', value: 3 }], labelValueCountByLabelName: [{ name: 'le', value: 75 }], seriesCountByLabelValuePair: pairs })
    expect(headSeriesByJob(status.seriesCountByLabelValuePair)).toEqual([{ job: 'postgres-exporter', series: 5451 }, { job: 'prometheus', series: 804 }])
    expect(() => parseTsdbStatus({ status: 'success', data: {} })).toThrow(/headStats\.numSeries/)
  })
})

describe('series and scrape figures', () => {
  it('rank jobs and families by series, largest first', () => {
    expect(seriesByJob(parseVector(vector([[{ job: 'orders' }, '196'], [{ job: 'prometheus' }, '727'], [{}, '2']])))).toEqual([
      { job: 'prometheus', series: 727 }, { job: 'orders', series: 196 }, { job: '(no job)', series: 2 }
    ])
    expect(topMetricNames(parseVector(vector([[{ __name__: 'b', job: 'catalog' }, '78'], [{ __name__: 'a', job: 'gateway' }, '225']])))).toEqual([
      { name: 'a', job: 'gateway', series: 225 }, { name: 'b', job: 'catalog', series: 78 }
    ])
  })

  it('join the last scrape, the slowest in the window and the samples per target, slowest first', () => {
    const t = (job: string, instance: string, v: string): [Record<string, string>, string] => [{ job, instance }, v]
    const rows = scrapeRows(
      parseVector(vector([t('catalog', 'catalog-1', '0.004'), t('catalog', 'catalog-2', '0.004'), t('gateway', 'gateway', '0.007')])),
      parseVector(vector([t('catalog', 'catalog-2', '0.021'), t('catalog', 'catalog-1', '0.009')])),
      parseVector(vector([t('catalog', 'catalog-1', '254'), t('gateway', 'gateway', '422')]))
    )
    expect(rows.map((r) => [r.instance, r.maxSeconds, r.samples])).toEqual([['catalog-2', 0.021, Number.NaN], ['catalog-1', 0.009, 254], ['gateway', 0.007, 422]])
  })

  it('pass under 20,000 series only when the head and the live count both are', () => {
    const figures = (head: number, live: number): SeriesFigures => ({ head, live, byJob: [], topNames: [], topLabels: [], headByJob: [] })
    expect(seriesVerdict(figures(3996, 3940)).pass).toBe(true)
    expect(seriesVerdict(figures(20_000, 3940)).pass).toBe(false)
    expect(seriesVerdict(figures(19_999, 20_001)).pass).toBe(false)
    expect(seriesSection({ ...figures(3996, 3940), byJob: [{ job: 'gateway', series: 1000 }, { job: 'catalog', series: 3000 }] })).toMatch(/gateway\s+1,000\s+25\.0%/)
    expect(seriesSection(figures(3996, 3940))).not.toMatch(/churn/)
    expect(seriesSection({ ...figures(9240, 4199), headByJob: [{ job: 'postgres-exporter', series: 5451 }] })).toMatch(/postgres-exporter 5,451\n {2}\(the head holds far more than is live: series churn/)
  })
})

const run = (requestsPerSecond: number, p50Ms: number): LoadResult => ({
  title: 't',
  url: 'u',
  connections: 10,
  durationSeconds: 10,
  requests: requestsPerSecond * 10,
  requestsPerSecond,
  p50Ms,
  p99Ms: 4 * p50Ms,
  autocannon: { p50Ms, p99Ms: 4 * p50Ms, averageMs: p50Ms },
  errors: 0,
  non2xx: 0,
  stoppedAtMaxRequests: false
})

describe('the metrics\' overhead', () => {
  it('averages each side\'s runs and gives throughput with over without, and what the metrics take', () => {
    const o = overhead([{ metrics: true, result: run(900, 2) }, { metrics: false, result: run(1000, 1.8) }, { metrics: true, result: run(700, 2.2) }, { metrics: false, result: run(1000, 1.8) }])
    expect(o.on).toMatchObject({ runs: 2, requestsPerSecond: 800, p50Ms: 2.1 })
    expect(o.throughputRatio).toBeCloseTo(0.8)
    expect(o.costPercent).toBeCloseTo(20)
    expect(o.p50AddedMs).toBeCloseTo(0.3)
    expect(o.roundRatios).toEqual([0.9, 0.7])
    expect(overheadSection(o)).toMatch(/0\.800× the throughput without, i\.e\. the metrics take 20\.0% of the hit path's req\/s; p50 \+0\.30 ms\nratio round by round: 0\.900, 0\.700/)
  })
})

describe('the mixed traffic', () => {
  const plan = { products: 10_000, stockedItems: 2000 }

  it('touches every public route of the gateway in each cycle of 20, 40% of it hot product pages', () => {
    const cycle = Array.from({ length: 20 }, (_, i) => trafficRequest(i, plan))
    expect(cycle.filter((r) => r.kind === 'product page (hot)')).toHaveLength(8)
    const prefixes = new Set(cycle.map((r) => r.path.split(/[/?]/)[1]))
    expect([...prefixes].sort()).toEqual(['catalog', 'inventory', 'notifications', 'orders', 'payments'])
    const orders = cycle.filter((r) => r.method === 'POST')
    expect(orders.map((r) => JSON.parse(r.body ?? '{}').paymentMethod)).toEqual(['wallet', 'card'])
  })

  it('asks for products and stock that exist, and for an unknown product past the seeded ones', () => {
    for (let i = 0; i < 2000; i++) {
      const r = trafficRequest(i, plan)
      const id = Number(r.path.match(/^\/catalog\/products\/(\d+)$/)?.[1] ?? Number.NaN)
      if (r.kind.startsWith('product page')) expect(id).toBeGreaterThanOrEqual(1)
      if (r.kind.startsWith('product page')) expect(id).toBeLessThanOrEqual(plan.products)
      if (r.kind === 'unknown product') expect(id).toBeGreaterThan(plan.products)
      if (r.method === 'POST') expect(JSON.parse(r.body ?? '{}').productId).toBeLessThanOrEqual(plan.stockedItems)
    }
  })

  it('counts answers by kind and status, and sums them by status', () => {
    const answers = {}
    countAnswer(answers, 'burst', 200)
    countAnswer(answers, 'burst', 429)
    countAnswer(answers, 'burst', 429)
    countAnswer(answers, 'wallet', 200)
    expect(answers).toEqual({ burst: { 200: 1, 429: 2 }, wallet: { 200: 1 } })
    expect(statusTotals(answers)).toEqual({ 200: 2, 429: 2 })
    expect(trafficLines('burst', { durationSeconds: 2, requests: 4, answers, errors: 0 })[0]).toBe('burst: 4 requests in 2.0 s, 0 connection errors; answers 200 ×2, 429 ×2')
  })
})
