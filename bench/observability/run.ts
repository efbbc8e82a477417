/**
 * `./lab bench observability`: issue 5's figures on the running lab (never restarted).
 *   a. the series the lab's Prometheus holds after mixed traffic and a 429 burst through the lab's
 *      gateway, by job and by metric family (target < 20,000);
 *   b. each scrape target's scrape duration and samples;
 *   c. what the metrics cost on the gateway's hit path: two bench gateways of its own, one with
 *      METRICS_ENABLED=false, the same product-page hits on both at the same time, round after round.
 * Prints tables and the verdict, writes .lab/bench/observability-<time>.json. Exit 0 whatever the
 * verdict (a measurement); 1 when a step failed or an overhead run had errors.
 */
import { availableParallelism, loadavg } from 'node:os'
import { address } from '../../infra/topology.js'
import { labCatalogConfig } from '../catalog.js'
import { labCheckout, requireReady } from '../checkout/lab.js'
import { OwnedProcesses } from '../children.js'
import { createOutput, type Output } from '../output.js'
import { fmtInt, verdictTable } from '../report.js'
import { writeResults } from '../results.js'
import { parseObservabilityArgs, type ObservabilityOptions } from './args.js'
import { headSeriesByJob, overhead, scrapeRows, seriesByJob, topMetricNames, type Overhead, type SeriesFigures } from './figures.js'
import { measureOverhead, startOverheadGateways } from './overhead.js'
import { prometheus, type Prometheus } from './prometheus.js'
import { overheadSection, scrapeTable, seriesSection, seriesVerdict, trafficLines } from './report.js'
import { driveTraffic, HOT_PRODUCTS, statusTotals, trafficRequest, type TrafficResult } from './traffic.js'

/** Enough connections for the rate although orders and the ledger check take tens of ms each. */
const MIXED_CONNECTIONS = 8
const indent = (text: string) => text.replace(/^/gm, '  ')
const loadAverages = () => loadavg().map((n) => Number(n.toFixed(2)))

async function traffic (options: ObservabilityOptions, out: Output, gatewayUrl: string): Promise<{ mixed: TrafficResult, burst: TrafficResult }> {
  const plan = { products: labCatalogConfig().SEED_PRODUCTS, stockedItems: labCheckout().seededProducts }
  out.line(`  mixed traffic: ${options.rate} req/s for ${options.trafficSeconds} s over ${MIXED_CONNECTIONS} connections, ${fmtInt(plan.products)} products, ${fmtInt(plan.stockedItems)} stocked items`)
  const mixed = await driveTraffic({
    base: gatewayUrl,
    connections: MIXED_CONNECTIONS,
    durationSeconds: options.trafficSeconds,
    rate: options.rate,
    requestOf: (sequence) => trafficRequest(sequence, plan),
    onTick: (elapsed, perSecond) => { out.progress(`  mixed traffic: ${elapsed}/${options.trafficSeconds} s, ${fmtInt(perSecond)} answers/s`) }
  })
  for (const line of trafficLines('  mixed traffic', mixed)) out.line(line)
  out.line(`  burst past the rate limit: product pages 1..${HOT_PRODUCTS} as fast as answered, ${options.connections} connections, ${options.burstSeconds} s`)
  const burst = await driveTraffic({
    base: gatewayUrl,
    connections: options.connections,
    durationSeconds: options.burstSeconds,
    requestOf: (sequence) => ({ kind: 'burst', method: 'GET', path: `/catalog/products/${(sequence % HOT_PRODUCTS) + 1}` }),
    onTick: (elapsed, perSecond) => { out.progress(`  burst: ${elapsed}/${options.burstSeconds} s, ${fmtInt(perSecond)} answers/s`) }
  })
  for (const line of trafficLines('  burst', burst)) out.line(line)
  if ((statusTotals(burst.answers)['429'] ?? 0) === 0) out.line('  note: the burst got no 429: is the lab\'s gateway rate limit lifted?')
  return { mixed, burst }
}

async function series (prom: Prometheus): Promise<SeriesFigures> {
  const all = '{__name__=~".+"}'
  const [tsdb, live, byJob, topNames] = await Promise.all([
    prom.tsdb(),
    prom.query(`count(${all})`),
    prom.query(`count by (job) (${all})`),
    prom.query(`topk(15, count by (job, __name__) (${all}))`)
  ])
  return {
    head: tsdb.numSeries,
    live: live[0]?.value ?? 0,
    byJob: seriesByJob(byJob),
    topNames: topMetricNames(topNames),
    topLabels: tsdb.labelValueCountByLabelName.map((l) => ({ name: l.name, values: l.value })),
    headByJob: headSeriesByJob(tsdb.seriesCountByLabelValuePair)
  }
}

export async function benchObservability (argv: string[]): Promise<number> {
  const options = parseObservabilityArgs(argv)
  const out = createOutput()
  const started = new Date()
  const cores = availableParallelism()
  const loadBefore = loadAverages()
  out.line(`lab bench observability: ${options.trafficSeconds} s of mixed traffic and a ${options.burstSeconds} s burst through the lab's gateway, ` +
    `then ${options.skipOverhead ? 'no overhead runs' : `${options.rounds} hit-path rounds of ${options.durationSeconds} s, ${options.connections} connections to each of two gateways`}; Node ${process.versions.node}`)
  out.line(`note: ${cores} cores shared by the load generator (autocannon, in this process), the lab and anything else running;`)
  out.line(`      load average (1, 5, 15 min) before: ${loadBefore.join(', ')}${(loadBefore[0] ?? 0) > cores / 4 ? ' (other work on this machine: the figures are provisional)' : ''}`)

  const gatewayUrl = `http://${address('gateway', 'native')}`
  const prom = prometheus(options.prometheusUrl)
  await requireReady({ gateway: gatewayUrl })
  const ready = await fetch(`${prom.url}/-/ready`, { signal: AbortSignal.timeout(5000) }).catch((err: unknown) => { throw new Error(`Prometheus at ${prom.url} does not answer (${(err as Error).message}); start the lab with ./lab up -d`) })
  if (!ready.ok) throw new Error(`Prometheus at ${prom.url} is not ready (${ready.status})`)

  const owned = new OwnedProcesses()
  const onSignal = (signal: NodeJS.Signals) => {
    out.line(`\nlab bench observability: ${signal}: stopping the bench's own gateways (the lab is left as it is)`)
    owned.stopAll().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    out.line(`\n1. traffic through the lab's gateway (${gatewayUrl})`)
    const load = await traffic(options, out, gatewayUrl)
    const trafficEnded = new Date()
    out.line('  waiting for every target\'s next scrape, so the traffic\'s series are counted')
    await prom.scrapedSince(trafficEnded, 60_000)

    out.line(`\n2. series held by Prometheus (${prom.url})`)
    const figures = await series(prom)
    out.line(indent(seriesSection(figures)))

    const window = `${Math.ceil((Date.now() - started.getTime()) / 1000) + 10}s`
    const [last, max, samples] = await Promise.all([
      prom.query('scrape_duration_seconds'),
      prom.query(`max_over_time(scrape_duration_seconds[${window}])`),
      prom.query('scrape_samples_scraped')
    ])
    const scrapes = scrapeRows(last, max, samples)
    out.line('\n3. scrapes per target (the traffic\'s window)')
    out.line(indent(scrapeTable(scrapes, window)))

    let cost: Overhead | undefined
    let overheadRuns: Awaited<ReturnType<typeof measureOverhead>> = []
    if (!options.skipOverhead) {
      out.line('\n4. the metrics\' cost on the gateway\'s hit path (two bench gateways, stopped at the end)')
      const gateways = await startOverheadGateways(owned)
      out.line(`  metrics on: ${gateways.on.url}, metrics off (METRICS_ENABLED=false): ${gateways.off.url}; both the lab's env, rate limits lifted, LOG_LEVEL=warn`)
      out.line('  off: no RED hook work (http_server_*) and no upstream request/outstanding families; the rate limiter\'s decision counter still counts')
      overheadRuns = await measureOverhead(gateways, options, out)
      await owned.stopAll()
      cost = overhead(overheadRuns)
      out.line(indent(overheadSection(cost)))
    }

    const loadAfter = loadAverages()
    const verdicts = [seriesVerdict(figures)]
    out.line('\ntargets (a measurement: the exit code does not depend on them)')
    out.line(indent(verdictTable(verdicts)))
    out.line(`load average (1, 5, 15 min) after: ${loadAfter.join(', ')}`)
    const overheadJson = cost === undefined ? null : { ...cost, runs: overheadRuns.map((r) => ({ metrics: r.metrics, ...r.result })) }
    const file = writeResults(started, {
      options,
      cores,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAfter,
      node: process.versions.node,
      traffic: load,
      series: figures,
      scrapes,
      overhead: overheadJson,
      verdicts
    }, 'observability')
    out.line(`\nwritten to ${file}`)
    const failed = overheadRuns.filter((r) => r.result.errors > 0 || r.result.non2xx > 0)
    if (failed.length > 0) out.line(`lab bench observability: runs with errors or non-2xx answers: ${failed.map((r) => r.result.title).join(', ')}`)
    return failed.length > 0 ? 1 : 0
  } finally {
    await owned.stopAll()
  }
}
