import { setTimeout as sleep } from 'node:timers/promises'
import { runScenario, type LoadReport } from '@lab/load-tests'
import { labMode } from '../../infra/docker/mode.js'
import { address } from '../../infra/topology.js'
import { browseScenario, HOT_SKEW } from './browse-load.js'
import { killComponent, startComponent } from './lab-processes.js'
import { scrapeSum } from './lab.js'
import type { Experiment } from './types.js'
import { atLeast, atMost, exactly } from './verdict.js'

const VICTIM = 'catalog-1'
/** The replica as the gateway names it (its upstream's host:port): 127.0.0.1:7101 natively, catalog-1:7101 in Docker. */
const replicaLabel = () => address(VICTIM, labMode())
/** Where the experiment reaches the replica itself (Docker: the test override's published port). */
const REPLICA = address(VICTIM, 'native')
/** The gateway's health checks: every 1 s, out after 2 failures (gateway/src/config.ts defaults), plus in-flight requests. */
const ERRORS_STOP_BOUND_S = 5
const OUT_OF_ROTATION_BOUND_S = 5

/** Per second of the load: answers that are the lab's failure (5xx or no answer); 4xx (others' load spending the rate limit) excluded. */
export function serverErrorsBySecond (report: LoadReport): number[] {
  return report.timeline.map((s) => s.errors - Object.entries(s.byStatus).filter(([code]) => Number(code) >= 400 && Number(code) < 500).reduce((n, [, c]) => n + c, 0))
}

/** Follows gateway_upstream_replica_healthy for the victim on the gateway's own /metrics, every 250 ms. */
function watchRotation (gateway: string) {
  const changes: Array<{ atMs: number, healthy: number }> = []
  const state = { stopped: false }
  const done = (async () => {
    let last = Number.NaN
    while (!state.stopped) {
      try {
        const healthy = await scrapeSum(gateway, 'gateway_upstream_replica_healthy', { upstream: 'catalog', replica: replicaLabel() })
        if (healthy !== last) { changes.push({ atMs: Date.now(), healthy }); last = healthy }
      } catch { /* the next poll tells */ }
      await sleep(250)
    }
  })()
  return { changes, stop: async () => { state.stopped = true; await done } }
}

export const replicaKill: Experiment = {
  id: 10,
  name: 'replica-kill',
  title: 'A catalog replica killed under load',
  hypothesis: `With ${VICTIM} killed (SIGKILL) while product pages are read through the gateway, its health checks take the replica out of rotation within ${OUT_OF_ROTATION_BOUND_S} s, errors stop within ${ERRORS_STOP_BOUND_S} s of the kill, and once it is restarted the replica is back in rotation and serves traffic again.`,
  fault: `${VICTIM} killed with SIGKILL (natively its process group, its PID from .lab/run/${VICTIM}.pid; in Docker its container, docker compose kill -s SIGKILL), restarted later as by ./lab chaos start`,
  async run ({ short, urls, progress }) {
    const rate = 20
    const durationSeconds = short ? 30 : 60
    const killAtS = short ? 5 : 15
    const restartAtS = killAtS + (short ? 5 : 15)
    const rotation = watchRotation(urls.gateway)
    const loadStartMs = Date.now()
    progress(`browse at ${rate}/s for ${durationSeconds} s through the gateway; ${VICTIM} killed at ${killAtS} s, restarted at ${restartAtS} s`)
    const load = runScenario(browseScenario({ rate, durationSeconds, zipfExponent: HOT_SKEW }), { baseUrl: urls.gateway })
    let killMs = Number.NaN
    let restartedMs = Number.NaN
    let servedBefore = Number.NaN
    let report: LoadReport
    try {
      await sleep(killAtS * 1000)
      const killed = await killComponent(VICTIM)
      killMs = killed.atMs
      progress(`killed ${VICTIM} (${killed.what})`)
      await sleep(Math.max(0, loadStartMs + restartAtS * 1000 - Date.now()))
      progress(`restarting ${VICTIM} (./lab chaos start ${VICTIM})`)
      await startComponent(VICTIM)
      restartedMs = Date.now()
      servedBefore = await scrapeSum(`http://${REPLICA}`, 'http_server_requests_total', { route: '/products/:id' })
      progress(`${VICTIM} healthy again after ${((restartedMs - killMs) / 1000).toFixed(1)} s down`)
    } finally {
      report = await load
      await rotation.stop()
    }
    const servedAfter = await scrapeSum(`http://${REPLICA}`, 'http_server_requests_total', { route: '/products/:id' })
    const errors = serverErrorsBySecond(report)
    const killSecond = Math.floor((killMs - loadStartMs) / 1000)
    const lastErrorSecond = errors.reduce((last, n, s) => (n > 0 && s >= killSecond ? s : last), -1)
    const errorsStopS = lastErrorSecond < 0 ? 0 : Math.max(0, (loadStartMs + (lastErrorSecond + 1) * 1000 - killMs) / 1000)
    const out = rotation.changes.find((c) => c.healthy === 0 && c.atMs >= killMs)
    const back = rotation.changes.find((c) => c.healthy === 1 && out !== undefined && c.atMs > out.atMs)
    const totalErrors = errors.reduce((a, b) => a + b, 0)
    return {
      verdicts: [
        atMost('taken out of rotation after the kill (gateway_upstream_replica_healthy → 0)', out === undefined ? Number.NaN : Number(((out.atMs - killMs) / 1000).toFixed(2)), OUT_OF_ROTATION_BOUND_S, 's'),
        atMost('errors stop after the kill (end of the last second with 5xx or no answer)', Number(errorsStopS.toFixed(2)), ERRORS_STOP_BOUND_S, 's'),
        exactly('back in rotation after the restart', back === undefined ? 0 : 1, 1),
        atLeast(`product pages served by ${VICTIM} after its restart`, servedAfter - servedBefore, 1, 'requests')
      ],
      figures: [
        { label: 'load', value: `${report.achievedRate.toFixed(1)}/s of ${rate} for ${durationSeconds} s; ${Object.entries(report.statuses).map(([s, n]) => `${n} × ${s}`).join(', ')}` },
        { label: '5xx or unanswered during the run', value: `${totalErrors}, in seconds ${errors.map((n, s) => (n > 0 ? `${s}` : '')).filter((s) => s !== '').join(', ') || 'none'} (killed in second ${killSecond})` },
        { label: 'down for', value: `${((restartedMs - killMs) / 1000).toFixed(1)} s (kill → started again and healthy)` },
        { label: 'rotation (gateway /metrics, polled every 250 ms)', value: `out ${out === undefined ? 'never' : `${((out.atMs - killMs) / 1000).toFixed(2)} s`} after the kill; back ${back === undefined ? 'never' : `${((back.atMs - killMs) / 1000).toFixed(1)} s`} after the kill (the restart returned healthy at ${((restartedMs - killMs) / 1000).toFixed(1)} s: it waits for the replica's own health first)` }
      ],
      windows: [{ label: `${VICTIM} down`, startMs: killMs, endMs: Number.isNaN(restartedMs) ? Date.now() : restartedMs }],
      panels: [
        {
          title: 'Catalog requests by replica',
          unit: 'per second',
          series: [
            { name: 'catalog-1', promql: 'sum(rate(http_server_requests_total{job="catalog",instance="catalog-1"}[10s]))' },
            { name: 'catalog-2', promql: 'sum(rate(http_server_requests_total{job="catalog",instance="catalog-2"}[10s]))' },
            { name: 'gateway 5xx', promql: 'sum(rate(http_server_requests_total{job="gateway",status_code=~"5.."}[10s])) or vector(0)' }
          ]
        },
        { title: 'Replicas in rotation (gateway)', unit: 'replicas', series: [{ name: 'catalog replicas healthy', promql: 'sum(gateway_upstream_replica_healthy{job="gateway",upstream="catalog"})' }] }
      ],
      notes: [
        'Rotation times come from the gateway\'s own /metrics polled every 250 ms; Prometheus (5 s scrapes) draws the chart.',
        'A request the gateway could not deliver to the dead replica is retried on the other one when it never reached the replica (gateway/src/upstream/upstream.ts), which is why few or no errors may show at all.'
      ]
    }
  }
}
