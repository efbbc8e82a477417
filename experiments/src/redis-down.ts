import { setTimeout as sleep } from 'node:timers/promises'
import { runScenario, type LoadReport } from '@lab/load-tests'
import { browseScenario, HOT_SKEW } from './browse-load.js'
import { scrapeSum } from './lab.js'
import { serverErrorsBySecond } from './replica-kill.js'
import { withComponentStopped } from './lab-processes.js'
import type { Experiment } from './types.js'
import { atLeast, atMost, exactly } from './verdict.js'

/** circuit_breaker_state: 0 closed, 1 half-open, 2 open (@lab/platform). */
const OPEN = 2
const CLOSE_BOUND_S = 15

/** Follows the catalog replicas' Redis breaker on their own /metrics every 250 ms: the highest state seen, and when. */
function watchBreakers (replicas: string[]) {
  const samples: Array<{ atMs: number, states: number[] }> = []
  const state = { stopped: false }
  const done = (async () => {
    while (!state.stopped) {
      try {
        samples.push({ atMs: Date.now(), states: await Promise.all(replicas.map(async (r) => await scrapeSum(r, 'circuit_breaker_state', { breaker: 'redis' }))) })
      } catch { /* a replica restarting: the next poll tells */ }
      await sleep(250)
    }
  })()
  return { samples, stop: async () => { state.stopped = true; await done } }
}

/** p50 of the per-second p50s of the load between two times (ms since the epoch). */
function medianP50 (report: LoadReport, fromMs: number, toMs: number): number {
  const t0 = Date.parse(report.startedAt)
  const values = report.timeline.filter((s) => t0 + s.second * 1000 >= fromMs && t0 + (s.second + 1) * 1000 <= toMs && s.answers > 0).map((s) => s.p50Ms).sort((a, b) => a - b)
  return values[Math.floor(values.length / 2)] ?? Number.NaN
}

export const redisDown: Experiment = {
  id: 3,
  name: 'redis-down',
  title: 'Redis stopped: the catalog fails open',
  hypothesis: `With the Redis server stopped for 30 s under product page reads, the catalog keeps answering (no 5xx), reads go to PostgreSQL (at least half of those made while it is down answer x-cache: bypass), the catalog's Redis breaker opens, and it closes again within ${CLOSE_BOUND_S} s of Redis returning.`,
  fault: 'the Redis server process stopped (./lab chaos stop redis: its graceful shutdown, held by this process) and started again, empty (the lab\'s Redis keeps nothing on disk); the gateway\'s rate limiter, which uses the same Redis, fails open meanwhile',
  async run ({ short, urls, progress }) {
    const rate = 20
    const beforeS = short ? 4 : 10
    const faultS = short ? 8 : 30
    const afterS = short ? 12 : 20
    const log = (line: string) => { progress(`  ${line}`) }
    const breakers = watchBreakers(urls.catalogReplicas)
    const bypass = async () => await Promise.all(urls.catalogReplicas.map(async (r) => await scrapeSum(r, 'cache_requests_total', { result: 'bypass' })))
    const bypassBefore = await bypass()
    progress(`browse at ${rate}/s for ${beforeS + faultS + afterS} s; Redis down from ${beforeS} s for ${faultS} s`)
    const load = runScenario(browseScenario({ rate, durationSeconds: beforeS + faultS + afterS, zipfExponent: HOT_SKEW }), { baseUrl: urls.gateway })
    let downMs = Number.NaN
    let upMs = Number.NaN
    let report: LoadReport
    try {
      await sleep(beforeS * 1000)
      progress('stopping Redis')
      const outage = await withComponentStopped('redis', async () => { await sleep(faultS * 1000) }, log)
      downMs = outage.stoppedMs
      upMs = outage.backMs
    } finally {
      report = await load
      await breakers.stop()
    }
    // A replica restarted meanwhile (someone else's reload) starts its counter again from 0.
    const bypassed = (await bypass()).reduce((n, after, i) => n + (after >= (bypassBefore[i] ?? 0) ? after - (bypassBefore[i] ?? 0) : after), 0)
    const errors = serverErrorsBySecond(report).reduce((a, b) => a + b, 0)
    const during = breakers.samples.filter((s) => s.atMs >= downMs && s.atMs <= upMs)
    const opened = during.find((s) => s.states.some((v) => v === OPEN))
    const closed = breakers.samples.find((s) => s.atMs > upMs && s.states.every((v) => v === 0))
    const p50Before = medianP50(report, Date.parse(report.startedAt), downMs)
    const p50During = medianP50(report, downMs + 1000, upMs)
    return {
      verdicts: [
        exactly('5xx or unanswered through the gateway', errors, 0),
        atLeast('reads PostgreSQL served instead of Redis (x-cache: bypass), of the reads while Redis was down', bypassed, Math.ceil(rate * faultS / 2), 'reads'),
        atMost('catalog Redis breaker open after Redis went down', opened === undefined ? Number.NaN : Number(((opened.atMs - downMs) / 1000).toFixed(2)), faultS, 's'),
        atMost('breaker closed again after Redis returned (both replicas)', closed === undefined ? Number.NaN : Number(((closed.atMs - upMs) / 1000).toFixed(2)), CLOSE_BOUND_S, 's')
      ],
      figures: [
        { label: 'load', value: `${report.achievedRate.toFixed(1)}/s of ${rate} for ${beforeS + faultS + afterS} s; ${Object.entries(report.statuses).map(([s, n]) => `${n} × ${s}`).join(', ')}` },
        { label: 'p50 of the reads (median of per-second p50s)', value: `before ${p50Before.toFixed(1)} ms, Redis down ${p50During.toFixed(1)} ms (${(p50During / p50Before).toFixed(1)}×: the product page from PostgreSQL, index-only scans once the seed's VACUUM has run)` },
        { label: 'reads that bypassed the cache (x-cache: bypass)', value: String(bypassed) },
        { label: 'x-cache seen by the load', value: Object.entries(report.cache ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') }
      ],
      windows: [{ label: 'Redis down', startMs: downMs, endMs: upMs }],
      panels: [
        {
          title: 'Catalog reads by cache result',
          unit: 'per second',
          series: [
            { name: 'hit', promql: 'sum(rate(cache_requests_total{job="catalog",result="hit"}[10s]))' },
            { name: 'bypass (PostgreSQL)', promql: 'sum(rate(cache_requests_total{job="catalog",result="bypass"}[10s]))' },
            { name: 'product page queries', promql: 'sum(rate(catalog_db_queries_total{job="catalog",query="product_page"}[10s]))' }
          ]
        },
        { title: 'Catalog Redis breaker (0 closed, 1 half-open, 2 open)', unit: 'state', series: [{ name: 'max over replicas', promql: 'max(circuit_breaker_state{job="catalog",breaker="redis"})' }] }
      ],
      notes: [
        'Breaker times come from the replicas\' own /metrics polled every 250 ms; the chart is Prometheus\' (5 s scrapes, rates over 10 s), so its lines trail the shaded window by a few seconds.',
        'The load reads a hot set (Zipf 2), so before the fault nearly every read is a hit; with Redis down every read is a PostgreSQL query.'
      ]
    }
  }
}
