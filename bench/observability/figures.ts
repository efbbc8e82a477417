import type { LoadResult } from '../load.js'
import type { Sample } from './prometheus.js'

/** Issue 5's bound on the lab's label cardinality: every series Prometheus holds, all jobs together. */
export const SERIES_TARGET = 20_000

export interface SeriesFigures {
  /** Series in the TSDB head: every series seen in the last hours, the ones gone stale included. */
  head: number
  /** Series with a sample now (count({__name__=~".+"})). */
  live: number
  byJob: Array<{ job: string, series: number }>
  /** The largest metric families, with the job that exposes them. */
  topNames: Array<{ name: string, job: string, series: number }>
  /** The label names with the most distinct values (from the TSDB status). */
  topLabels: Array<{ name: string, values: number }>
  /** Jobs by series in the head, stale ones included (from the TSDB status's top label pairs). */
  headByJob: Array<{ job: string, series: number }>
}

export interface ScrapeRow {
  job: string
  instance: string
  /** The last scrape's duration, and the longest one in the window, in seconds. */
  lastSeconds: number
  maxSeconds: number
  samples: number
}

const byValue = <T extends { series: number }>(a: T, b: T) => b.series - a.series

/** Series per job, largest first, from `count by (job) (...)`. */
export function seriesByJob (samples: Sample[]): SeriesFigures['byJob'] {
  return samples.map((s) => ({ job: s.labels.job ?? '(no job)', series: s.value })).sort(byValue)
}

/** The largest families, from `topk(n, count by (job, __name__) (...))`. */
export function topMetricNames (samples: Sample[]): SeriesFigures['topNames'] {
  return samples.map((s) => ({ name: s.labels.__name__ ?? '?', job: s.labels.job ?? '(no job)', series: s.value })).sort(byValue)
}

/** The `job=…` pairs among the TSDB status's label pairs with the most head series. */
export function headSeriesByJob (pairs: Array<{ name: string, value: number }>): SeriesFigures['headByJob'] {
  return pairs.filter((p) => p.name.startsWith('job=')).map((p) => ({ job: p.name.slice('job='.length), series: p.value })).sort(byValue)
}

const targetKey = (labels: Record<string, string>) => `${labels.job ?? ''}\u0000${labels.instance ?? ''}`

/**
 * One row per scrape target, joining the last scrape_duration_seconds, its maximum over the window and
 * scrape_samples_scraped by job and instance; slowest first.
 */
export function scrapeRows (last: Sample[], max: Sample[], samples: Sample[]): ScrapeRow[] {
  const maxOf = new Map(max.map((s) => [targetKey(s.labels), s.value]))
  const samplesOf = new Map(samples.map((s) => [targetKey(s.labels), s.value]))
  return last.map((s) => ({
    job: s.labels.job ?? '?',
    instance: s.labels.instance ?? '?',
    lastSeconds: s.value,
    maxSeconds: maxOf.get(targetKey(s.labels)) ?? s.value,
    samples: samplesOf.get(targetKey(s.labels)) ?? Number.NaN
  })).sort((a, b) => b.maxSeconds - a.maxSeconds || a.job.localeCompare(b.job) || a.instance.localeCompare(b.instance))
}

export interface OverheadRun { metrics: boolean, result: LoadResult }

export interface OverheadSide { runs: number, requestsPerSecond: number, p50Ms: number, p99Ms: number, errors: number, non2xx: number }

export interface Overhead {
  on: OverheadSide
  off: OverheadSide
  /** Throughput with metrics over throughput without: 1 means they cost nothing. */
  throughputRatio: number
  /** The share of the hit path's throughput the metrics take: 1 - ratio. */
  costPercent: number
  p50AddedMs: number
  /** The same ratio within each round (the two runs made at the same time): its spread shows the noise. */
  roundRatios: number[]
}

const mean = (values: number[]) => values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length

function side (runs: OverheadRun[]): OverheadSide {
  const results = runs.map((r) => r.result)
  return {
    runs: results.length,
    requestsPerSecond: mean(results.map((r) => r.requestsPerSecond)),
    p50Ms: mean(results.map((r) => r.p50Ms)),
    p99Ms: mean(results.map((r) => r.p99Ms)),
    errors: results.reduce((n, r) => n + r.errors, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0)
  }
}

const throughput = (on: OverheadSide, off: OverheadSide) => off.requestsPerSecond > 0 ? on.requestsPerSecond / off.requestsPerSecond : Number.NaN

/** The two gateways' runs (in rounds of two, one each, run at the same time) averaged side by side, and what the metrics cost. */
export function overhead (runs: OverheadRun[]): Overhead {
  const on = side(runs.filter((r) => r.metrics))
  const off = side(runs.filter((r) => !r.metrics))
  const throughputRatio = throughput(on, off)
  const roundRatios: number[] = []
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const pair = runs.slice(i, i + 2)
    roundRatios.push(throughput(side(pair.filter((r) => r.metrics)), side(pair.filter((r) => !r.metrics))))
  }
  return { on, off, throughputRatio, costPercent: 100 * (1 - throughputRatio), p50AddedMs: on.p50Ms - off.p50Ms, roundRatios }
}
