import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { percentile } from '../../bench/stats.js'
import { scrapeSum } from './lab.js'
import { withPatternOff } from './switches.js'
import type { Experiment, SideBySide } from './types.js'
import { atLeast, exactly } from './verdict.js'

/** The hottest product of the browse scenario, and its page's key (services/catalog: prefix + product-page:v1:<id>). */
const HOT_PRODUCT = 1
const KEY = `catalog:product-page:v1:${HOT_PRODUCT}`
const QUIET_MS = 1000

/** Product page queries run by both replicas so far, from their own /metrics (exact, no scrape delay). */
async function productPageQueries (replicas: string[]): Promise<number> {
  const counts = await Promise.all(replicas.map(async (r) => await scrapeSum(r, 'catalog_db_queries_total', { query: 'product_page' })))
  return counts.reduce((a, b) => a + b, 0)
}

/** Waits (up to `timeoutMs`) for `QUIET_MS` without any product page query: no other traffic missing the cache. */
async function waitForQuiet (replicas: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let last = await productPageQueries(replicas)
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(200)
    const now = await productPageQueries(replicas)
    if (now !== last) { last = now; since = Date.now() } else if (Date.now() - since >= QUIET_MS) return true
  }
  return false
}

interface Round { reads: number, ok: number, statuses: Record<string, number>, cache: Record<string, number>, p50Ms: number, p99Ms: number, disturbed: boolean, startMs: number, endMs: number }

/** Deletes the key (its TTL ran out, as far as the cache can tell) and sends `readers` concurrent reads, split over the replicas. */
async function stampede (redis: Redis, replicas: string[], readers: number): Promise<Round> {
  const quietBefore = await waitForQuiet(replicas, 20_000)
  const before = await productPageQueries(replicas)
  const startMs = Date.now()
  await redis.del(KEY)
  const answers = await Promise.all(Array.from({ length: readers }, async (_, i) => {
    const t0 = performance.now()
    try {
      const res = await fetch(`${replicas[i % replicas.length] ?? ''}/products/${HOT_PRODUCT}`)
      await res.arrayBuffer()
      return { status: String(res.status), cache: res.headers.get('x-cache') ?? 'none', ms: performance.now() - t0 }
    } catch {
      return { status: 'no answer', cache: 'none', ms: performance.now() - t0 }
    }
  }))
  const endMs = Date.now()
  const after = await productPageQueries(replicas)
  // Another client's miss during the burst would be counted as ours: only a burst with quiet on both
  // sides is a clean count.
  await sleep(QUIET_MS)
  const quietAfter = (await productPageQueries(replicas)) === after
  const statuses: Record<string, number> = {}
  const cache: Record<string, number> = {}
  for (const a of answers) {
    statuses[a.status] = (statuses[a.status] ?? 0) + 1
    cache[a.cache] = (cache[a.cache] ?? 0) + 1
  }
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b)
  return { reads: after - before, ok: statuses['200'] ?? 0, statuses, cache, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), disturbed: !quietBefore || !quietAfter, startMs, endMs }
}

/** A stampede measured until a round had quiet on both sides (at most 3 re-measures). */
async function cleanRound (redis: Redis, replicas: string[], readers: number, progress: (line: string) => void): Promise<Round & { retries: number }> {
  for (let retries = 0; ; retries++) {
    // Warm first: the key exists, so the delete is an expiry and not a cold start.
    await (await fetch(`${replicas[0] ?? ''}/products/${HOT_PRODUCT}`)).arrayBuffer()
    const round = await stampede(redis, replicas, readers)
    progress(`  ${round.reads} product page queries, ${round.ok}/${readers} answered 200, x-cache ${JSON.stringify(round.cache)}${round.disturbed ? ' (other traffic read the database meanwhile)' : ''}`)
    if (!round.disturbed || retries >= 3) return { ...round, retries }
    await sleep(500)
  }
}

function sideBySide (readers: number, on: Round, off: Round): SideBySide {
  return {
    title: `Single flight on and off, ${readers} concurrent readers`,
    columns: ['single flight on', 'single flight off'],
    rows: [
      { label: 'database reads for the key', values: [String(on.reads), String(off.reads)] },
      { label: 'answered 200', values: [`${on.ok}/${readers}`, `${off.ok}/${readers}`] },
      { label: 'x-cache', values: [on, off].map((r) => Object.entries(r.cache).map(([k, n]) => `${k} ${n}`).join(', ')) },
      { label: 'reader p50 / p99', values: [on, off].map((r) => `${r.p50Ms.toFixed(1)} / ${r.p99Ms.toFixed(1)} ms`) }
    ]
  }
}

export const stampedeExperiment: Experiment = {
  id: 2,
  name: 'stampede',
  title: 'Cache stampede on a hot key',
  hypothesis: 'When a hot product page expires under 500 concurrent readers (250 on each catalog replica), single flight (in each process, and across replicas through a Redis lock) lets exactly one of them read PostgreSQL; every reader gets a 200.',
  fault: `the hot key ${KEY} deleted from Redis just before the readers arrive (what its TTL running out does)`,
  async run ({ short, urls, prometheus, progress }) {
    const readers = 500
    const rounds = short ? 1 : 5
    const redis = new Redis(urls.redis, { maxRetriesPerRequest: 1, lazyConnect: true })
    await redis.connect()
    const coalescedBefore = await prometheus.freshValue('sum(cache_singleflight_coalesced_total{job="catalog"})', 'catalog')
    const done: Round[] = []
    let retries = 0
    let compared: { readers: number, on: Round, off: Round } | undefined
    try {
      while (done.length < rounds) {
        progress(`round ${done.length + 1} of ${rounds}: waiting for a quiet second, then ${readers} concurrent readers`)
        const round = await cleanRound(redis, urls.catalogReplicas, readers, progress)
        retries += round.retries
        done.push(round)
        await sleep(1000)
      }
      // Off, every reader goes to PostgreSQL: fewer readers, so the shared database is not swamped.
      const fewer = short ? 50 : 100
      progress(`side by side, ${fewer} readers: single flight on, then off (./lab chaos switch single-flight off)`)
      const on = await cleanRound(redis, urls.catalogReplicas, fewer, progress)
      const off = await withPatternOff('catalog', 'single-flight', async () => await cleanRound(redis, urls.catalogReplicas, fewer, progress))
      compared = { readers: fewer, on, off }
    } finally {
      redis.disconnect()
    }
    const coalescedAfter = await prometheus.freshValue('sum(cache_singleflight_coalesced_total{job="catalog"})', 'catalog')
    const worst = done.reduce((a, b) => (b.reads > a.reads ? b : a))
    const okAll = done.reduce((n, r) => n + r.ok, 0)
    const disturbed = done.filter((r) => r.disturbed).length
    return {
      verdicts: [
        { ...exactly('database reads per expiry (the most in any round)', worst.reads, 1, 'reads'), ...(disturbed > 0 ? { note: `${disturbed} round(s) had other traffic missing the cache around them` } : {}) },
        exactly('readers answered 200', okAll, readers * done.length),
        atLeast(`single flight off: database reads for ${compared.readers} readers (the stampede shown)`, compared.off.reads, 2, 'reads')
      ],
      sideBySide: [sideBySide(compared.readers, compared.on, compared.off)],
      figures: [
        { label: 'rounds', value: `${done.length} × ${readers} concurrent readers (${retries} re-measured because of other traffic)` },
        { label: 'database reads per round', value: done.map((r) => r.reads).join(', ') },
        { label: 'x-cache of the readers (last round)', value: Object.entries(done.at(-1)?.cache ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') },
        { label: 'reader latency (worst round)', value: `p50 ${worst.p50Ms.toFixed(1)} ms, p99 ${worst.p99Ms.toFixed(1)} ms` },
        { label: 'reads coalesced by single flight (Prometheus)', value: `${coalescedAfter - coalescedBefore} (local: same process; remote: waited for the other replica's load)` }
      ],
      windows: [...done, compared.on].map((r, i) => ({ label: i === 0 ? 'key deleted' : '', startMs: r.startMs, endMs: Math.max(r.endMs, r.startMs + 1000) })).concat([{ label: 'single flight off', startMs: compared.off.startMs, endMs: Math.max(compared.off.endMs, compared.off.startMs + 1000) }]),
      panels: [
        {
          title: 'Catalog',
          unit: 'per second',
          series: [
            { name: 'reads', promql: 'sum(rate(cache_requests_total{job="catalog"}[10s]))' },
            { name: 'coalesced (single flight)', promql: 'sum(rate(cache_singleflight_coalesced_total{job="catalog"}[10s]))' }
          ]
        },
        {
          title: 'Product page queries, both replicas',
          unit: 'per 5 s scrape',
          // idelta: the exact difference of the last two samples; increase() would extrapolate a 1 to a 2.
          series: [{ name: 'product page queries', promql: 'sum(idelta(catalog_db_queries_total{job="catalog",query="product_page"}[15s]))' }]
        }
      ],
      notes: [
        'Counted from both replicas\' catalog_db_queries_total{query="product_page"} right before and after each burst; a burst with another client\'s cache miss within a second of it is measured again (up to 3 times).',
        'Off is the catalog\'s single-flight switch (PUT /admin/chaos/services/catalog/switches, what ./lab chaos switch single-flight off does), switched back on right after.'
      ]
    }
  }
}
