import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labMode } from '../../infra/docker/mode.js'
import { ensureInfra, stopComponents } from '../../infra/native/index.js'
import { address, infra, services } from '../../infra/topology.js'
import { dashboardFiles } from '../src/index.js'
import { parkDeadLetter } from './support/dead-letter.js'
import { panelQueries, provisionedDatasource } from './support/grafana-variables.js'
import { LabTraffic, type Faults } from './support/lab-traffic.js'
import { PrometheusApi, withoutZeroFallback } from './support/prometheus.js'

/**
 * The dashboards against the real lab, without Grafana (AGPL: never run here): the lab runs natively
 * or as the Compose stack (LAB_MODE=docker) (natively started if it is not, and then only what this file started is stopped again; a running lab is
 * shared and left running), traffic goes through the gateway, and every panel's query, with Grafana's
 * variables substituted, must answer with series from the live Prometheus.
 */
const files = dashboardFiles()
const { scrapeIntervalSeconds } = provisionedDatasource()
const prometheus = new PrometheusApi(`http://${address('prometheus', 'native')}`)
const traffic = new LabTraffic({
  gateway: `http://${address('gateway', 'native')}`,
  provider: `http://${address('provider', 'native')}`,
  payments: `http://${address('payments', 'native')}`
})
const log = (line: string) => { process.stderr.write(`[dashboards] ${line}\n`) }

let started: string[] = []
let faultsFound: Faults | undefined
let trafficEndedAt = 0
let clearDeadLetter: (() => Promise<void>) | undefined

beforeAll(async () => {
  // Docker mode: the Compose stack, brought up by ./lab test --docker, publishes the same ports.
  if (labMode() === 'docker') return
  const components = [...infra.filter((c) => c.native).map((c) => c.name), ...services.map((s) => s.name)]
  started = (await ensureInfra({ components, log })).started
  if (started.length > 0) log(`started ${started.join(', ')} (stopped again at the end)`)
}, 300_000)

afterAll(async () => {
  // Leave the lab as it was found: the provider's knobs as they were, its breaker closed, the
  // dead-letter topic empty again if it was.
  try {
    await clearDeadLetter?.()
    if (faultsFound !== undefined) await traffic.setFaults(faultsFound)
    await traffic.closeProviderBreaker()
  } finally {
    await stopComponents(started, log)
  }
}, 120_000)

describe('the dashboards against the live lab', () => {
  it('drives a cache miss and a hit, a 429, a provider breaker trip and a wallet checkout through the gateway', async () => {
    faultsFound = await traffic.faults()
    const trip = await traffic.tripProviderBreaker()
    expect(await traffic.providerBreakerState()).toBe(2)
    expect(trip.cancelled).toBeGreaterThan(0)
    await traffic.setFaults(faultsFound)
    log(`provider breaker opened after ${trip.orders} card order(s) with errorRate 1; knobs put back to ${JSON.stringify(faultsFound)}`)

    const key = randomUUID()
    const body = await traffic.payableWalletOrder()
    const placed = await traffic.placeOrder(body, key)
    expect(placed.status).toBe(201)
    expect(await traffic.finalState(placed.order.id)).toBe('confirmed')
    const replay = await traffic.placeOrder(body, key)
    expect(replay.replayed).toBe(true)

    const page = await traffic.cacheMissThenHit()
    expect(page).toMatchObject({ first: 'miss', second: 'hit' })

    // Past the 100 per second budget, but few enough rejections (about 30) that the lab's
    // RateLimitRejectionsSpiking alert (at least 1 per second over a minute) stays quiet for others.
    const burst = await traffic.burstUntilLimited(page.productId, 130)
    log(`burst of 130 reads (round ${burst.rounds}): ${JSON.stringify(Object.fromEntries(burst.statuses))}`)
    expect(burst.statuses.get(429) ?? 0).toBeGreaterThan(0)

    // A firing alert, for the panels that list them (their fallback to 0 would hide a broken query).
    const parked = await parkDeadLetter()
    clearDeadLetter = parked.clear
    log(`published a message that is not an envelope: ${parked.topic} holds it, DeadLetterQueueNotEmpty fires`)
    trafficEndedAt = Date.now()
  }, 180_000)

  it('answers every panel query with at least one series once Prometheus has scraped that traffic', async () => {
    expect(trafficEndedAt).toBeGreaterThan(0)
    await prometheus.waitForScrapesAfter(trafficEndedAt, scrapeIntervalSeconds)
    expect(await prometheus.scalar('max(max_over_time(circuit_breaker_state{job="payments",breaker="provider"}[5m]))')).toBe(2)
    await prometheus.waitFor('count(ALERTS{alertname="DeadLetterQueueNotEmpty",alertstate="firing"})', 60_000)

    const queries = panelQueries(files, scrapeIntervalSeconds)
    const failures: string[] = []
    for (const q of queries) {
      const where = `${q.dashboard} / panel ${q.panelId} "${q.panel}" / ${q.refId}${q.needsJob === undefined ? '' : ` (reads the ${q.needsJob} scrape job)`}`
      const answer = await prometheus.query(q.promql)
      if (answer.status !== 'success') {
        failures.push(`${where}: ${answer.errorType ?? 'error'}: ${answer.error ?? ''}\n    ${q.promql}`)
        continue
      }
      const result = answer.data?.result
      if (!Array.isArray(result) || result.length === 0) failures.push(`${where}: no series\n    ${q.promql}`)
      const main = withoutZeroFallback(q.promql)
      if (main !== undefined && (await prometheus.series(main)).length === 0) failures.push(`${where}: no series without its fallback to 0\n    ${main}`)
    }
    log(`${queries.length - failures.length} of ${queries.length} panel queries answered with series`)
    expect(failures, failures.join('\n')).toEqual([])
  }, 120_000)

  it('finds values in Prometheus for every dashboard variable', async () => {
    const empty: string[] = []
    for (const { dashboard } of files) {
      for (const v of dashboard.templating?.list ?? []) {
        const match = /^label_values\((\w+), (\w+)\)$/.exec(v.definition ?? '')
        if (match?.[1] === undefined || match[2] === undefined) { empty.push(`${dashboard.uid} $${v.name}: not a label_values(metric, label) query`); continue }
        if ((await prometheus.labelValues(match[2], match[1])).length === 0) empty.push(`${dashboard.uid} $${v.name}: no values of ${match[2]} on ${match[1]}`)
      }
    }
    expect(empty).toEqual([])
  })
})
