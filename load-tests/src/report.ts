import type { LoadReport, Progress } from './driver.js'
import type { LatencySummary } from './recorder.js'

const ms = (v: number) => Number.isNaN(v) ? '—' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)
const int = (v: number) => Math.round(v).toLocaleString('en-US')
const num = (v: number) => Number.isNaN(v) ? '—' : Number.isInteger(v) ? int(v) : v.toFixed(v < 10 ? 2 : 1)
const pct = (part: number, whole: number) => whole === 0 ? '—' : `${(100 * part / whole).toFixed(1)}%`

function table (rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) => r.map((cell, i) => i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

const latencyRow = (name: string, s: LatencySummary) => [name, int(s.count), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)]

/** One progress line, e.g. `browse  12 s/30 s  sent 720  answered 719  60/s  errors 0`. */
export function formatProgress (name: string, durationSeconds: number, p: Progress): string {
  const when = p.phase === 'load' ? `${Math.round(p.elapsedSeconds)} s/${durationSeconds} s` : `settling ${Math.round(p.elapsedSeconds)} s`
  const orders = p.pendingOrders === undefined ? '' : `  orders polled ${int(p.pendingOrders)}`
  return `${name}  ${when}  sent ${int(p.sent)}  answered ${int(p.answered)}  ${int(p.lastSecond)}/s  errors ${int(p.errors)}${orders}`
}

/** The final report: rates, latencies, statuses, the checkout's final states, and every verdict. */
export function formatReport (r: LoadReport): string {
  const s = r.scenario
  const lines = [
    `load ${s.name}: ${s.title}`,
    `  target   ${int(r.target.rate)}/s for ${r.target.durationSeconds} s = ${int(r.target.iterations)} iterations, open model over ${r.connections} connections → ${r.baseUrl}`,
    ...(r.setup === undefined ? [] : [`  setup    ${r.setup}`]),
    `  achieved ${num(r.achievedRate)}/s (${pct(r.achievedRate, r.target.rate)} of the target): ${int(r.iterations.sent)} sent, ${int(r.iterations.sentInWindow)} within the ${r.target.durationSeconds} s window` +
      `${r.iterations.sent < r.target.iterations ? `, ${int(r.target.iterations - r.iterations.sent)} never sent (stopped)` : ''}` +
      `${r.iterations.unfinished > 0 ? `, ${int(r.iterations.unfinished)} unanswered when stopped` : ''}; ${int(r.answered)} answers in ${num(r.elapsedSeconds)} s`,
    '',
    '  latency (ms, each answer\'s own time)',
    table([['  request', 'answers', 'p50', 'p90', 'p99', 'max'], ...r.requests.map((q) => latencyRow(`  ${q.name}`, q.latency)), ...(r.requests.length > 1 ? [latencyRow('  all', r.all)] : [])]),
    '',
    `  answers by status (expected: ${s.expectedStatuses.join(', ')}); error rate ${pct(r.errorRate, 1)}`,
    table(r.requests.flatMap((q) => [
      ...Object.entries(q.byStatus).map(([label, n]) => [`  ${q.name} ${label}`, int(n), pct(n, q.answered + q.noAnswer)]),
      ...(q.noAnswer > 0 ? [[`  ${q.name} no answer (connection error or timeout)`, int(q.noAnswer), pct(q.noAnswer, q.answered + q.noAnswer)]] : [])
    ]))
  ]
  if (r.cache !== undefined) {
    const cache = r.cache
    const total = Object.values(cache).reduce((a, b) => a + b, 0)
    lines.push('', `  x-cache (the catalog's cache, ${int(total)} answers): ${Object.keys(cache).sort().map((k) => `${k} ${pct(cache[k] ?? 0, total)}`).join(', ')}`)
  }
  if (r.rateLimited !== undefined) {
    lines.push('', `  429 answers with Retry-After: ${int(r.rateLimited.withRetryAfter)} of ${int(r.rateLimited.answers)}`)
  }
  if (r.checkout !== undefined) {
    const c = r.checkout
    const reasons = Object.entries(c.cancelReasons).map(([reason, n]) => `${reason} ${int(n)}`).join(', ')
    lines.push('', `  final states of ${int(c.tracked)} placed orders (polled every ${c.pollIntervalMs} ms): confirmed ${int(c.confirmed)}, cancelled ${int(c.cancelled)}${reasons === '' ? '' : ` (${reasons})`}, unsettled ${int(c.unsettled)}`)
    lines.push(table([['  time to final state (ms)', 'orders', 'p50', 'p90', 'p99', 'max'], latencyRow('  POST sent → final seen', c.timeToFinal)]))
  }
  lines.push('', '  thresholds')
  lines.push(table(r.verdicts.map((v) => [`  ${v.pass ? 'PASS' : 'FAIL'}  ${v.label}`, `${num(v.value)}${v.unit === '' ? '' : ` ${v.unit}`}`, v.bound])))
  const failed = r.verdicts.filter((v) => !v.pass).length
  lines.push('', failed === 0 ? `  all ${r.verdicts.length} thresholds passed` : `  ${failed} of ${r.verdicts.length} thresholds FAILED`)
  return lines.join('\n')
}
