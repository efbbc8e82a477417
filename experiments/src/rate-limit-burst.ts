import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { runScenario, withOverrides, loadScenario, type LoadReport } from '@lab/load-tests'
import { OwnedProcesses } from '../../bench/children.js'
import { createAdminClient } from '../../infra/native/chaos/admin-client.js'
import { scrapeSum } from './lab.js'
import { startExperimentGateway, type ExperimentGateway } from './lab-processes.js'
import type { Experiment } from './types.js'
import { atLeast, atMost, between, exactly } from './verdict.js'

/** The lab's default budget per client (gateway/src/config.ts RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS of 1 s). */
const LIMIT_PER_SECOND = 100

interface Probe { allowed: number, limited: number, withRetryAfter: number, jsonBody: number }

/** Reads through each gateway in turn every 100 ms while the burst runs: do its 429s say when to come back? */
async function probe429s (gateways: string[], path: string, untilMs: number): Promise<Probe> {
  const result: Probe = { allowed: 0, limited: 0, withRetryAfter: 0, jsonBody: 0 }
  for (let i = 0; Date.now() < untilMs; i++) {
    const res = await fetch(`${gateways[i % gateways.length] ?? ''}${path}`)
    const body = await res.text()
    if (res.status === 200) result.allowed++
    if (res.status === 429) {
      result.limited++
      const retryAfter = Number(res.headers.get('retry-after'))
      if (Number.isInteger(retryAfter) && retryAfter >= 1) result.withRetryAfter++
      try { if (typeof (JSON.parse(body) as { code?: unknown }).code === 'string') result.jsonBody++ } catch { /* not JSON: not counted */ }
    }
    await sleep(100)
  }
  return result
}

const count = (r: LoadReport, status: string) => r.statuses[status] ?? 0

/** Answers with `status` per second of the run, summed over the reports (each second at its middle). */
function perSecond (reports: LoadReport[], status: string): Array<[number, number]> {
  const bySecond = new Map<number, number>()
  for (const r of reports) {
    const t0 = Date.parse(r.startedAt)
    for (const s of r.timeline) {
      const t = t0 + s.second * 1000 + 500
      const key = Math.round(t / 1000) * 1000
      bySecond.set(key, (bySecond.get(key) ?? 0) + (s.byStatus[status] ?? 0))
    }
  }
  return [...bySecond].sort(([a], [b]) => a - b)
}

export const rateLimitBurst: Experiment = {
  id: 8,
  name: 'rate-limit-burst',
  title: 'A burst at 5× the rate limit across two gateway replicas',
  hypothesis: `One client bursting at 500 requests/s, spread evenly over two gateway processes that share their counters in Redis, gets ${LIMIT_PER_SECOND}/s through in total (within 10%, once the limiter's start window has passed), not ${LIMIT_PER_SECOND}/s per gateway; every rejected request is a 429 with Retry-After.`,
  fault: 'none injected: the burst is the fault (the burst scenario, split over two gateways started for the experiment on free ports, with their own key prefix so that other load from 127.0.0.1 on the lab\'s gateway does not count)',
  async run ({ short, progress }) {
    const durationSeconds = short ? 6 : 10
    const burst = loadScenario('burst')
    const path = String((burst.params as { path: string }).path)
    const owned = new OwnedProcesses()
    const gateways: ExperimentGateway[] = []
    const env = { RATE_LIMIT_MAX: String(LIMIT_PER_SECOND), RATE_LIMIT_WINDOW_MS: '1000', RATE_LIMIT_ALGORITHM: 'sliding-window', RATE_LIMIT_KEY_PREFIX: `experiment:${randomUUID().slice(0, 8)}:rl:` }
    try {
      progress('starting two gateways with the lab\'s environment and one shared key prefix')
      for (const n of ['a', 'b']) gateways.push(await startExperimentGateway(owned, { name: `experiment gateway ${n}`, env: { ...env, INSTANCE_ID: `experiment-gateway-${n}`, LOG_LEVEL: 'warn' } }))
      const urls = gateways.map((g) => g.url)
      const decisions = async (decision: string) => (await Promise.all(urls.map(async (u) => await scrapeSum(u, 'gateway_rate_limit_decisions_total', { decision })))).reduce((a, b) => a + b, 0)
      const failOpen = async () => (await Promise.all(urls.map(async (u) => await scrapeSum(u, 'gateway_rate_limit_errors_total')))).reduce((a, b) => a + b, 0)
      const failOpenBefore = await failOpen()
      const allowedBefore = await decisions('allowed')
      const rejectedBefore = await decisions('rejected')
      progress(`burst: ${burst.rate}/s for ${durationSeconds} s, half through ${urls.join(', half through ')}`)
      const half = withOverrides(burst, { rate: burst.rate / 2, durationSeconds })
      const startMs = Date.now()
      const [reports, probe] = await Promise.all([
        Promise.all(urls.map(async (baseUrl) => await runScenario(half, { baseUrl }))),
        probe429s(urls, path, Date.now() + durationSeconds * 1000)
      ])
      const endMs = Date.now()
      const allowed = reports.reduce((n, r) => n + count(r, '200'), 0)
      const rejected = reports.reduce((n, r) => n + count(r, '429'), 0)
      const other = reports.reduce((n, r) => n + r.answered - count(r, '200') - count(r, '429'), 0)
      // Both gateways in total, per second, once the limiter's first window has passed: any window-based
      // limiter lets its whole budget through at once at the start (the previous window is empty), which
      // over a burst of N seconds is one second of budget more. So the seconds strictly between the first
      // and the last with answers (both loads' timelines on the clock; the first can come late when the
      // senders start late on a busy machine), and the whole burst, start included, as a figure.
      const bySecond = perSecond(reports, '200')
      const middle = bySecond.slice(1, -1)
      const allowedPerSecond = middle.reduce((n, [, c]) => n + c, 0) / middle.length + probe.allowed / durationSeconds
      const burstSeconds = Math.max(...reports.map((r) => r.achievedRate === 0 ? Number.NaN : r.iterations.sent / r.achievedRate))
      const wholeBurstPerSecond = allowed / burstSeconds + probe.allowed / durationSeconds
      const limitedAnswers = reports.reduce((n, r) => n + (r.rateLimited?.answers ?? 0), 0)
      const withRetryAfter = reports.reduce((n, r) => n + (r.rateLimited?.withRetryAfter ?? 0), 0)
      const sentTotal = reports.reduce((n, r) => n + r.iterations.sent, 0) + probe.allowed + probe.limited
      const counted = { allowed: await decisions('allowed') - allowedBefore, rejected: await decisions('rejected') - rejectedBefore, failOpen: await failOpen() - failOpenBefore }

      // Off: the gateways' rate-limit switch (their own admin API, the lab's credential), the same burst.
      const offSeconds = short ? 2 : 5
      progress(`side by side: the same burst for ${offSeconds} s with rate limiting switched off on both gateways`)
      const admins = urls.map((u) => createAdminClient({ LAB_ADMIN_URL: u }))
      for (const a of admins) await a.call('PUT', '/admin/chaos/services/gateway/switches', { 'rate-limit': false })
      const offStartMs = Date.now()
      let offReports: LoadReport[]
      try {
        offReports = await Promise.all(urls.map(async (baseUrl) => await runScenario(withOverrides(burst, { rate: burst.rate / 2, durationSeconds: offSeconds }), { baseUrl })))
      } finally {
        for (const a of admins) await a.call('PUT', '/admin/chaos/services/gateway/switches', { 'rate-limit': true })
      }
      const offEndMs = Date.now()
      const offAllowedPerSecond = offReports.reduce((n, r) => n + count(r, '200'), 0) / offSeconds
      return {
        verdicts: [
          between('allowed through both gateways in total, per second after the start window (load and probe)', Number(allowedPerSecond.toFixed(1)), LIMIT_PER_SECOND * 0.9, LIMIT_PER_SECOND * 1.1, '/s'),
          atLeast('429s of the load', limitedAnswers, 1),
          exactly('429s of the load with Retry-After (whole seconds ≥ 1)', withRetryAfter, limitedAnswers),
          exactly('sampled 429s with a JSON error code', probe.jsonBody, probe.limited),
          exactly('answers other than 200 and 429', other, 0),
          // Fail-open is the limiter's designed answer to a Redis round trip over its breaker's 200 ms
          // timeout. Natively none in our runs; in Docker mode 0 to 5 of ~3,000 (2026-12-07: the burst,
          // two extra gateways and 16 containers on 2 cores). A few are the design at work; more than
          // 0.5% of the requests would mean the shared limit is not what decides.
          atMost('let through without a decision (fail-open: Redis slower than 200 ms, or its breaker open)', counted.failOpen, Math.floor(sentTotal * 0.005)),
          atLeast('rate limiting off: allowed per second (the flood the limit stops)', Number(offAllowedPerSecond.toFixed(1)), LIMIT_PER_SECOND * 1.1, '/s')
        ],
        sideBySide: [{
          title: 'Rate limiting on (one budget shared in Redis) and off, the same burst',
          columns: ['on', 'off'],
          rows: [
            { label: 'allowed per second, both gateways', values: [allowedPerSecond.toFixed(1), offAllowedPerSecond.toFixed(1)] },
            { label: '429', values: [String(rejected), String(offReports.reduce((n, r) => n + count(r, '429'), 0))] },
            { label: 'p50 / p99 (gateway a)', values: [reports[0], offReports[0]].map((r) => (r === undefined ? '?' : `${r.all.p50.toFixed(1)} / ${r.all.p99.toFixed(1)} ms`)) }
          ]
        }, {
          title: 'Per gateway, rate limiting on',
          columns: reports.map((_, i) => `gateway ${'ab'[i] ?? i}`),
          rows: [
            { label: 'sent per second', values: reports.map((r) => r.achievedRate.toFixed(1)) },
            { label: '200 per second', values: reports.map((r) => (count(r, '200') / durationSeconds).toFixed(1)) },
            { label: '429', values: reports.map((r) => String(count(r, '429'))) },
            { label: 'p50 / p99', values: reports.map((r) => `${r.all.p50.toFixed(1)} / ${r.all.p99.toFixed(1)} ms`) }
          ]
        }],
        figures: [
          { label: 'the burst', value: `${reports.reduce((n, r) => n + r.iterations.sent, 0)} requests sent over ${burstSeconds.toFixed(2)} s (first send to last, the slower gateway's load), plus the probe's ${probe.allowed + probe.limited} over ${durationSeconds} s` },
          { label: 'allowed, start window included', value: `${wholeBurstPerSecond.toFixed(1)}/s over the whole burst; ${bySecond[0]?.[1] ?? 0} in its first second, then ${middle.map(([, c]) => c).join(', ')} (the load's 200s per second, both gateways)` },
          { label: 'answers', value: `${allowed} × 200, ${rejected} × 429 over ${durationSeconds} s (${((rejected / Math.max(1, allowed + rejected)) * 100).toFixed(1)}% rejected)` },
          { label: 'decisions counted by the gateways (gateway_rate_limit_decisions_total)', value: `allowed ${counted.allowed}, rejected ${counted.rejected} (the probe's reads included)` },
          { label: 'probe (one read every 100 ms, alternating gateways)', value: `${probe.allowed} × 200, ${probe.limited} × 429: ${probe.withRetryAfter} with Retry-After, ${probe.jsonBody} with a JSON error code` },
          { label: 'without a shared store', value: `each gateway would allow ${LIMIT_PER_SECOND}/s: ${LIMIT_PER_SECOND * 2}/s in total` }
        ],
        windows: [{ label: 'burst', startMs, endMs }, { label: 'limit off', startMs: offStartMs, endMs: offEndMs }],
        panels: [{
          title: 'Answers of the load, both gateways',
          unit: 'per second',
          series: [
            { name: '200', points: perSecond([...reports, ...offReports], '200') },
            { name: '429', points: perSecond([...reports, ...offReports], '429') },
            { name: `limit (${LIMIT_PER_SECOND}/s)`, points: perSecond([...reports, ...offReports], '200').map(([t]) => [t, LIMIT_PER_SECOND] as [number, number]) }
          ]
        }],
        notes: [
          'The two experiment gateways are not Prometheus targets (they live for the experiment only): their counters are read from their own /metrics, and the chart is drawn from the load\'s own per-second timeline.',
          'The allowed rate counts the 200s of the load and of the probe (both spend the one client budget).'
        ]
      }
    } finally {
      await Promise.all(gateways.map(async (g) => await g.stop()))
      await owned.stopAll()
    }
  }
}
