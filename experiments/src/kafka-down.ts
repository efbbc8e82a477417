import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { loadScenario, runScenario, validateScenario, withOverrides, type LoadReport } from '@lab/load-tests'
import { address } from '../../infra/topology.js'
import { componentAlive, withComponentStopped } from './lab-processes.js'
import { scrapeSum } from './lab.js'
import type { Experiment } from './types.js'
import { atLeast, atMost, exactly } from './verdict.js'

const ORDERS = `http://${address('orders', 'native')}`
/** After Kafka is back: the relay publishes its backlog and every consumer catches up within this. */
const DRAIN_BOUND_S = 30
/**
 * After Kafka is back, every order of the run reaches its final state within this. A restarted broker
 * reloads its consumer groups and waits out the old members' sessions (30 s) before it rebalances:
 * our runs settled the last order 30-35 s after Kafka was healthy again.
 */
const SETTLE_BOUND_S = 60
/** The services that produce or consume through Kafka: each must still be running after the outage. */
const KAFKA_CLIENTS = ['orders', 'payments', 'notifications']

/** Follows orders' outbox_backlog on its own /metrics every 500 ms. */
function watchBacklog () {
  const samples: Array<[number, number]> = []
  const flag = { stopped: false }
  const done = (async () => {
    while (!flag.stopped) {
      try { samples.push([Date.now(), await scrapeSum(ORDERS, 'outbox_backlog')]) } catch { /* the next poll tells */ }
      await sleep(500)
    }
  })()
  return { samples, stop: async () => { flag.stopped = true; await done } }
}

/** The run's orders in orders' database: how many are not final, and when the last one became final. */
async function settledInDb (db: pg.Pool, from: Date, to: Date): Promise<{ orders: number, notFinal: number, lastFinalMs: number }> {
  const { rows } = await db.query<{ orders: number, not_final: number, last: Date | null }>(`
    SELECT count(*)::int AS orders, count(*) FILTER (WHERE status NOT IN ('confirmed', 'cancelled'))::int AS not_final, max(updated_at) AS last
    FROM orders WHERE created_at BETWEEN $1 AND $2`, [from.toISOString(), to.toISOString()])
  const r = rows[0]
  return { orders: r?.orders ?? 0, notFinal: r?.not_final ?? Number.NaN, lastFinalMs: r?.last?.getTime() ?? Number.NaN }
}

/** Orders accepted (201) in the seconds of the load that fall inside the outage. */
function acceptedDuring (report: LoadReport, startMs: number, endMs: number): number {
  const t0 = Date.parse(report.startedAt)
  return report.timeline.filter((_, s) => t0 + s * 1000 >= startMs && t0 + (s + 1) * 1000 <= endMs).reduce((n, s) => n + Object.entries(s.byStatus).filter(([label]) => label.startsWith('201')).reduce((a, [, c]) => a + c, 0), 0)
}

export const kafkaDown: Experiment = {
  id: 7,
  name: 'kafka-down',
  title: 'Kafka stopped during checkout',
  hypothesis: `With the Kafka broker stopped for 30 s under wallet checkouts, orders keep being accepted (201, written to the outbox in the order's transaction), the outbox backlog rises and drains to 0 within ${DRAIN_BOUND_S} s of Kafka's return, no order event is lost (every order placed reaches a final state, the last within ${SETTLE_BOUND_S} s of Kafka's return), and the services that use Kafka are still running afterwards.`,
  fault: 'the Kafka broker process stopped (./lab chaos stop kafka: processFault stop, held by this process) and started again',
  async run ({ short, urls, progress }) {
    const base = loadScenario('checkout')
    const beforeS = short ? 4 : 10
    const faultS = short ? 8 : 30
    const afterS = short ? 6 : 15
    // Pending orders are polled for the whole outage: every 2 s, at a rate that keeps place + polls under the gateway's 50/s orders budget.
    const rate = short ? 3 : 2
    const pollIntervalMs = short ? 2000 : 3000
    // An order placed as Kafka stops waits the outage, the broker's start (~20 s) and the settle bound.
    const finalTimeoutMs = (faultS + 20 + SETTLE_BOUND_S) * 1000
    const scenario = validateScenario({ ...withOverrides(base, { rate, durationSeconds: beforeS + faultS + afterS }), params: { ...base.params, pollIntervalMs, finalTimeoutMs } }, base.name)
    const db = new pg.Pool({ connectionString: urls.postgres('orders'), max: 1 })
    const runStart = new Date()
    const log = (line: string) => { progress(`  ${line}`) }
    const backlog = watchBacklog()
    progress(`wallet checkouts at ${rate}/s for ${scenario.durationSeconds} s; Kafka stopped from ${beforeS} s for ${faultS} s`)
    const load = runScenario(scenario, { baseUrl: urls.gateway })
    let stopMs = Number.NaN
    let backMs = Number.NaN
    let report: LoadReport
    try {
      await sleep(beforeS * 1000)
      progress('stopping Kafka')
      const outage = await withComponentStopped('kafka', async () => { await sleep(faultS * 1000) }, log)
      stopMs = outage.stoppedMs
      backMs = outage.backMs
    } finally {
      report = await load
    }
    const inDb = await settledInDb(db, runStart, new Date()).finally(async () => { await db.end() })
    // The backlog has drained once it reads 0 after the outage; wait for it (bounded) before judging.
    const drainDeadline = backMs + DRAIN_BOUND_S * 1000
    while (Date.now() < drainDeadline && (backlog.samples.at(-1)?.[1] ?? 1) > 0) await sleep(500)
    await sleep(1000)
    await backlog.stop()
    const peak = backlog.samples.filter(([t]) => t >= stopMs && t <= backMs + 2000).reduce((m, [, v]) => Math.max(m, v), 0)
    const drained = backlog.samples.find(([t, v]) => t >= backMs && v === 0)
    const accepted = acceptedDuring(report, stopMs, backMs)
    const place = report.requests.find((r) => r.name === 'place')
    const place5xx = Object.entries(place?.byStatus ?? {}).filter(([label]) => Number(label.split(' ')[0]) >= 500).reduce((n, [, c]) => n + c, place?.noAnswer ?? 0)
    const dead: string[] = []
    for (const name of KAFKA_CLIENTS) if (!await componentAlive(name)) dead.push(name)
    const checkout = report.checkout
    return {
      verdicts: [
        atLeast('orders accepted (201) while Kafka was down', accepted, 1, 'orders'),
        exactly('POST /orders answered 5xx or not at all', place5xx, 0),
        atLeast('outbox backlog peak during the outage', peak, 1, 'rows'),
        atMost('outbox drained to 0 after Kafka returned', drained === undefined ? Number.NaN : Number(((drained[0] - backMs) / 1000).toFixed(1)), DRAIN_BOUND_S, 's'),
        exactly('orders without a final state (lost events), polled through the gateway', checkout?.unsettled ?? Number.NaN, 0),
        exactly('orders of the run not final in orders\' database', inDb.notFinal, 0),
        atMost('last order of the run final after Kafka was healthy again', Number(((inDb.lastFinalMs - backMs) / 1000).toFixed(1)), SETTLE_BOUND_S, 's'),
        exactly(`Kafka clients not running afterwards (${KAFKA_CLIENTS.join(', ')})`, dead.length, 0)
      ],
      figures: [
        { label: 'orders', value: `${checkout?.tracked ?? 0} placed: ${checkout?.confirmed ?? 0} confirmed, ${checkout?.cancelled ?? 0} cancelled (${Object.entries(checkout?.cancelReasons ?? {}).map(([r, n]) => `${r} ${n}`).join(', ') || 'no reasons'}), ${checkout?.unsettled ?? 0} unsettled; ${accepted} accepted while Kafka was down` },
        { label: 'POST /orders p50 / p99', value: `${place?.latency.p50.toFixed(1) ?? '?'} / ${place?.latency.p99.toFixed(1) ?? '?'} ms` },
        { label: 'time to final state p50 / p99', value: `${checkout?.timeToFinal.p50.toFixed(0) ?? '?'} / ${checkout?.timeToFinal.p99.toFixed(0) ?? '?'} ms (polled every ${pollIntervalMs / 1000} s, for up to ${finalTimeoutMs / 1000} s); in orders' database ${inDb.orders} orders created during the run (all clients), the last final ${((inDb.lastFinalMs - backMs) / 1000).toFixed(1)} s after Kafka was back` },
        { label: 'Kafka down', value: `${((backMs - stopMs) / 1000).toFixed(1)} s (stopped → started again and healthy)` },
        { label: 'outbox backlog', value: `peak ${peak} rows; 0 again ${drained === undefined ? 'never' : `${((drained[0] - backMs) / 1000).toFixed(1)} s after Kafka was back`}` },
        { label: 'Kafka clients after the outage', value: dead.length === 0 ? 'all running' : `not running: ${dead.join(', ')} (see .lab/logs/<name>.log)` }
      ],
      windows: [{ label: 'Kafka stopped', startMs: stopMs, endMs: Number.isNaN(backMs) ? Date.now() : backMs }],
      panels: [
        { title: 'Orders outbox backlog (orders /metrics, every 500 ms)', unit: 'rows', series: [{ name: 'outbox_backlog', points: backlog.samples }] },
        {
          title: 'Checkout events',
          unit: 'per second',
          series: [
            { name: 'outbox published', promql: 'sum(rate(outbox_published_total{job="orders"}[10s]))' },
            { name: 'payments consumed', promql: 'sum(rate(consumer_messages_total{job="payments",outcome="processed"}[10s]))' }
          ]
        }
      ],
      notes: [
        'A stopped broker, not the Toxiproxy kafka proxy set down: the proxy only cuts the services\' connections, while a stopped process is what an outage is (the metadata, the group coordinator and the log all gone), and kafkajs\' retries and consumer restarts are tested against it.',
        'The backlog is orders\' own gauge polled every 500 ms; the chart\'s rates are Prometheus\' (5 s scrapes, 10 s rates), which cannot scrape nothing while Kafka is down but has gaps if a service restarts.'
      ]
    }
  }
}
