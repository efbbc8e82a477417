import { fmtInt, fmtMs, fmtPercent, table, type Verdict } from '../report.js'
import { SERIES_TARGET, type Overhead, type ScrapeRow, type SeriesFigures } from './figures.js'
import { statusTotals, type TrafficResult } from './traffic.js'

const indent = (text: string, by = '  ') => text.replace(/^/gm, by)

/** The traffic's answers: one line of totals by status, then a row per kind. */
export function trafficLines (title: string, traffic: TrafficResult): string[] {
  const totals = Object.entries(statusTotals(traffic.answers)).sort(([a], [b]) => a.localeCompare(b))
  const rows = Object.entries(traffic.answers).map(([kind, byStatus]) => [
    `  ${kind}`,
    Object.entries(byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${status} ×${fmtInt(n)}`).join(', ')
  ])
  return [
    `${title}: ${fmtInt(traffic.requests)} requests in ${traffic.durationSeconds.toFixed(1)} s, ${traffic.errors} connection errors; ` +
      `answers ${totals.map(([status, n]) => `${status} ×${fmtInt(n)}`).join(', ')}`,
    ...(rows.length > 1 ? [table([['  kind', 'answers'], ...rows])] : [])
  ]
}

export function seriesSection (figures: SeriesFigures): string {
  const total = figures.byJob.reduce((n, j) => n + j.series, 0)
  const byJob = table([['job', 'series', 'share'], ...figures.byJob.map((j) => [j.job, fmtInt(j.series), fmtPercent(j.series, total)])])
  const names = table([['metric', 'job', 'series'], ...figures.topNames.map((n) => [n.name, n.job, fmtInt(n.series)])])
  return [
    `series held: ${fmtInt(figures.head)} in the TSDB head (every series of the last hours, stale ones too), ` +
      `${fmtInt(figures.live)} with a sample now; target < ${fmtInt(SERIES_TARGET)}`,
    'by job (series with a sample now):',
    indent(byJob),
    'largest metric families:',
    indent(names),
    `labels with the most values: ${figures.topLabels.map((l) => `${l.name} ${fmtInt(l.values)}`).join(', ')}`,
    `head series by job, stale ones included (the largest jobs): ${figures.headByJob.map((j) => `${j.job} ${fmtInt(j.series)}`).join(', ')}` +
      (figures.head > 1.5 * figures.live ? '\n  (the head holds far more than is live: series churn, such as label values that come and go)' : '')
  ].join('\n')
}

export function scrapeTable (rows: ScrapeRow[], window: string): string {
  return table([
    ['job', 'instance', 'last scrape ms', `max ms (${window})`, 'samples scraped'],
    ...rows.map((r) => [r.job, r.instance, fmtMs(1000 * r.lastSeconds), fmtMs(1000 * r.maxSeconds), fmtInt(r.samples)])
  ])
}

export function overheadSection (o: Overhead): string {
  const row = (name: string, s: Overhead['on']) => [name, fmtInt(s.runs), fmtInt(s.requestsPerSecond), fmtMs(s.p50Ms), fmtMs(s.p99Ms), fmtInt(s.errors), fmtInt(s.non2xx)]
  return [
    table([['bench gateway', 'runs', 'req/s (mean)', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'], row('metrics on', o.on), row('metrics off (METRICS_ENABLED=false)', o.off)]),
    `with metrics: ${o.throughputRatio.toFixed(3)}× the throughput without, i.e. the metrics take ${o.costPercent.toFixed(1)}% of the hit path's req/s; ` +
      `p50 ${o.p50AddedMs >= 0 ? '+' : ''}${fmtMs(o.p50AddedMs)} ms`,
    `ratio round by round: ${o.roundRatios.map((r) => r.toFixed(3)).join(', ')} (their spread is the machine's noise)`
  ].join('\n')
}

/** Issue 5's target: the whole lab's series under the bound, counted the stricter way (the head). */
export function seriesVerdict (figures: SeriesFigures): Verdict {
  return {
    target: `series held by Prometheus for the whole lab < ${fmtInt(SERIES_TARGET)}`,
    measured: `${fmtInt(figures.head)} (head), ${fmtInt(figures.live)} live`,
    pass: figures.head < SERIES_TARGET && figures.live < SERIES_TARGET
  }
}
