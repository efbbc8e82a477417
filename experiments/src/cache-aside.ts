import { runScenario, type LoadReport } from '@lab/load-tests'
import { browseScenario, HOT_SKEW } from './browse-load.js'
import { ttlCacheHitRatio } from './cache-model.js'
import { probeCacheLatency } from './catalog-probe.js'
import { scrapeSum } from './lab.js'
import { withPatternOff } from './switches.js'
import type { Experiment, SideBySide } from './types.js'
import { atLeast, atMost } from './verdict.js'

const PRODUCTS = 10_000
const TTL_SECONDS = 60
const HIT = 'sum(cache_requests_total{job="catalog",result="hit"})'
const READS = 'sum(cache_requests_total{job="catalog"})'
const DB_READS = 'sum(catalog_db_queries_total{job="catalog",query="product_page"})'

/** 5xx answers and requests that got no answer, over all: 429s (others' load shares the per-client budget) are not the cache's doing. */
export function serverErrorRate (report: LoadReport): number {
  const failed = Object.entries(report.statuses).filter(([code]) => Number(code) >= 500).reduce((n, [, c]) => n + c, 0)
  const lost = report.requests.reduce((n, r) => n + r.noAnswer, 0)
  const all = report.answered + lost
  return all === 0 ? Number.NaN : (failed + lost) / all
}

/** Reads and product page queries of both replicas, from their own /metrics. */
async function catalogCounts (replicas: string[]): Promise<{ reads: number, db: number }> {
  const sum = async (metric: string, labels: Record<string, string>) => (await Promise.all(replicas.map(async (r) => await scrapeSum(r, metric, labels)))).reduce((a, b) => a + b, 0)
  return { reads: await sum('cache_requests_total', {}), db: await sum('catalog_db_queries_total', { query: 'product_page' }) }
}

/** The same small load with the pattern on, then with the catalog's `cache` switch off: what the cache saves. */
async function onAndOff (gateway: string, replicas: string[], rate: number, durationSeconds: number): Promise<SideBySide> {
  const measureOnce = async () => {
    const before = await catalogCounts(replicas)
    const report = await runScenario(browseScenario({ rate, durationSeconds, zipfExponent: HOT_SKEW }), { baseUrl: gateway })
    const after = await catalogCounts(replicas)
    return { report, dbPerRead: (after.db - before.db) / Math.max(1, after.reads - before.reads) }
  }
  const on = await measureOnce()
  const off = await withPatternOff('catalog', 'cache', measureOnce)
  const runs = [on, off]
  return {
    title: `Cache on and off, ${rate}/s for ${durationSeconds} s each (Zipf ${HOT_SKEW})`,
    columns: ['cache on', 'cache off'],
    rows: [
      { label: 'database reads per request', values: runs.map((r) => r.dbPerRead.toFixed(2)) },
      { label: 'x-cache', values: runs.map((r) => Object.entries(r.report.cache ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')) },
      { label: 'p50 / p99 through the gateway', values: runs.map((r) => `${r.report.all.p50.toFixed(1)} / ${r.report.all.p99.toFixed(1)} ms`) },
      { label: '5xx and unanswered', values: runs.map((r) => `${(serverErrorRate(r.report) * 100).toFixed(1)}%`) }
    ]
  }
}

export const cacheAside: Experiment = {
  id: 1,
  name: 'cache-aside',
  title: 'Cache-aside under skewed load',
  hypothesis: 'Under skewed reads (Zipf, exponent 2, over 10,000 products) the catalog serves at least 90% of the reads from Redis once warm, sends at most 0.1 database reads per request, and a hit answers at least 5× faster than a miss (p50).',
  fault: 'none: the load itself is the stress (the cache starts as other traffic left it; a warm-up phase fills it).',
  async run ({ short, urls, prometheus, progress }) {
    const rate = 30
    const warmupSeconds = short ? 5 : 30
    const measureSeconds = short ? 10 : 60
    const onProgress = (phase: string, total: number) => (p: { elapsedSeconds: number, answered: number, errors: number }) => {
      if (Math.round(p.elapsedSeconds) % 5 === 0) progress(`${phase}: ${p.elapsedSeconds.toFixed(0)}/${total} s, ${p.answered} answered, ${p.errors} errors`)
    }
    progress(`warm-up: browse at ${rate}/s for ${warmupSeconds} s (Zipf ${HOT_SKEW})`)
    const warmStart = Date.now()
    await runScenario(browseScenario({ rate, durationSeconds: warmupSeconds, zipfExponent: HOT_SKEW }), { baseUrl: urls.gateway, onProgress: onProgress('warm-up', warmupSeconds) })
    const warmEnd = Date.now()
    const before = { hits: await prometheus.freshValue(HIT, 'catalog'), reads: await prometheus.value(READS), db: await prometheus.value(DB_READS) }
    progress(`measured: browse at ${rate}/s for ${measureSeconds} s`)
    const report = await runScenario(browseScenario({ rate, durationSeconds: measureSeconds, zipfExponent: HOT_SKEW }), { baseUrl: urls.gateway, onProgress: onProgress('measured', measureSeconds) })
    const after = { hits: await prometheus.freshValue(HIT, 'catalog'), reads: await prometheus.value(READS), db: await prometheus.value(DB_READS) }
    const reads = after.reads - before.reads
    const hitRatio = (after.hits - before.hits) / reads
    const dbPerRequest = (after.db - before.db) / reads
    // The counters are the whole catalog's: other clients' reads in the window are counted too, and said so.
    const others = reads - report.answered

    progress('hit and miss latency: sequential reads straight at the replicas')
    const samples = short ? 10 : 30
    const hit = await probeCacheLatency(urls.catalogReplicas, 'hit', () => 1 + Math.floor(Math.random() * 3), samples)
    const miss = await probeCacheLatency(urls.catalogReplicas, 'miss', () => 5000 + Math.floor(Math.random() * 5000), samples)
    const speedup = miss.p50Ms / hit.p50Ms
    // Off, every read is a PostgreSQL query of tens to hundreds of ms: a low rate keeps the shared database standing.
    progress('side by side: the cache on, then off (./lab chaos switch cache off), 5/s each')
    const comparedFrom = Date.now()
    const comparison = await onAndOff(urls.gateway, urls.catalogReplicas, 5, short ? 5 : 15)
    const comparedTo = Date.now()
    const model = ttlCacheHitRatio({ products: PRODUCTS, zipfExponent: HOT_SKEW, rate, ttlSeconds: TTL_SECONDS })
    const modelBrowse = ttlCacheHitRatio({ products: PRODUCTS, zipfExponent: 1.1, rate, ttlSeconds: TTL_SECONDS })
    const errors = serverErrorRate(report)
    const cache = report.cache ?? {}
    return {
      verdicts: [
        { ...atLeast('hit ratio after warm-up (Prometheus, both replicas)', Number((hitRatio * 100).toFixed(1)), 90, '%'), ...(others > 0.05 * reads ? { note: `${others} of the ${reads} reads were other clients'` } : {}) },
        atMost('database reads per request (catalog_db_queries_total / cache_requests_total)', Number(dbPerRequest.toFixed(3)), 0.1),
        atLeast('p50 of misses / p50 of hits', Number(speedup.toFixed(1)), 5, '×'),
        atMost('5xx and unanswered, of the load', Number((errors * 100).toFixed(2)), 1, '%')
      ],
      figures: [
        { label: 'load (measured phase)', value: `${report.achievedRate.toFixed(1)}/s of ${rate} for ${measureSeconds} s after ${warmupSeconds} s of warm-up; p50 ${report.all.p50.toFixed(1)} ms, p99 ${report.all.p99.toFixed(1)} ms` },
        { label: 'answers', value: Object.entries(report.statuses).map(([s, n]) => `${n} × ${s}`).join(', ') },
        { label: 'x-cache seen by the load', value: Object.entries(cache).map(([k, n]) => `${k} ${n}`).join(', ') || 'none' },
        { label: 'catalog reads in the window (all traffic)', value: `${reads}, of which hits ${after.hits - before.hits}; product page queries ${after.db - before.db}` },
        { label: 'hit p50 / miss p50 (direct, sequential)', value: `${hit.p50Ms.toFixed(2)} ms (${hit.count} hits) / ${miss.p50Ms.toFixed(2)} ms (${miss.count} misses)` },
        { label: 'TTL-cache model', value: `${(model * 100).toFixed(1)}% hits for Zipf ${HOT_SKEW} at ${rate}/s and a ${TTL_SECONDS} s TTL; ${(modelBrowse * 100).toFixed(1)}% for the browse scenario's Zipf 1.1` }
      ],
      sideBySide: [comparison],
      windows: [{ label: 'warm-up', startMs: warmStart, endMs: warmEnd }, { label: 'cache on, then off', startMs: comparedFrom, endMs: comparedTo }],
      panels: [
        {
          title: 'Catalog reads',
          unit: 'per second',
          series: [
            { name: 'hits', promql: 'sum(rate(cache_requests_total{job="catalog",result="hit"}[15s]))' },
            { name: 'misses', promql: 'sum(rate(cache_requests_total{job="catalog",result="miss"}[15s]))' },
            { name: 'product page queries (PostgreSQL)', promql: 'sum(rate(catalog_db_queries_total{job="catalog",query="product_page"}[15s]))' }
          ]
        },
        {
          title: 'Hit ratio',
          unit: '%',
          series: [{ name: 'hits / reads', promql: '100 * sum(rate(cache_requests_total{job="catalog",result="hit"}[15s])) / sum(rate(cache_requests_total{job="catalog"}[15s]))' }]
        }
      ],
      notes: [
        'The counters are the whole catalog\'s, so other traffic on the shared lab counts too.',
        `With the browse scenario's own skew (1.1) a ${TTL_SECONDS} s TTL cannot reach 90%: a third of its reads go to products read less than once per TTL (model above).`
      ]
    }
  }
}
