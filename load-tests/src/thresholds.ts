import type { Threshold } from '../lib/scenario.js'
import type { LatencySummary } from './recorder.js'

/** The figures of a run that thresholds are judged on. */
export interface RunFigures {
  /** Latency of one request name, or of all requests when `request` is undefined. */
  latency: (request: string | undefined) => LatencySummary | undefined
  timeToFinal?: LatencySummary
  errorRate: number
  unsettledRate?: number
  answered: number
  statusCount: (status: number) => number
  /** First request sent → last answer, seconds: the span a per-second figure is taken over. */
  elapsedSeconds: number
}

export interface Verdict {
  threshold: Threshold
  /** e.g. `latency p99 of place`, `share of 429`. */
  label: string
  /** e.g. `≤ 250 ms`, `80..110 /s`. */
  bound: string
  value: number
  unit: '' | 'ms' | '/s' | '%'
  pass: boolean
}

const UNITS = { latency: 'ms', timeToFinal: 'ms', errors: '%', unsettled: '%', status: '' } as const

function labelOf (t: Threshold): string {
  switch (t.metric) {
    case 'latency': return `latency ${t.stat}${t.request === undefined ? '' : ` of ${t.request}`}`
    case 'timeToFinal': return `time to final state ${t.stat}`
    case 'errors': return 'error rate'
    case 'unsettled': return 'unsettled orders'
    case 'status': return t.stat === 'share' ? `share of ${t.status}` : t.stat === 'perSecond' ? `${t.status} per second` : `${t.status} answers`
  }
}

function valueOf (t: Threshold, f: RunFigures): number {
  const stat = (s: LatencySummary | undefined) => s === undefined || s.count === 0 ? Number.NaN : s[t.stat as keyof LatencySummary]
  switch (t.metric) {
    case 'latency': return stat(f.latency(t.request))
    case 'timeToFinal': return stat(f.timeToFinal)
    case 'errors': return f.errorRate
    case 'unsettled': return f.unsettledRate ?? Number.NaN
    case 'status': {
      const count = f.statusCount(t.status ?? 0)
      if (t.stat === 'count') return count
      if (t.stat === 'share') return f.answered === 0 ? Number.NaN : count / f.answered
      return f.elapsedSeconds > 0 ? count / f.elapsedSeconds : Number.NaN
    }
  }
}

/** Shares are judged as fractions and shown as percentages. */
function shown (t: Threshold, value: number): number {
  return t.metric === 'errors' || t.metric === 'unsettled' || (t.metric === 'status' && t.stat === 'share') ? value * 100 : value
}

function unitOf (t: Threshold): Verdict['unit'] {
  if (t.metric === 'status') return t.stat === 'share' ? '%' : t.stat === 'perSecond' ? '/s' : ''
  return UNITS[t.metric]
}

/**
 * Each threshold's verdict: PASS when the figure is within min..max. A figure that could not be taken
 * (no answers, no placed order) is NaN and fails: a run that measured nothing proves nothing.
 */
export function evaluateThresholds (thresholds: readonly Threshold[], figures: RunFigures): Verdict[] {
  return thresholds.map((t) => {
    const value = valueOf(t, figures)
    const unit = unitOf(t)
    const show = (n: number) => `${shown(t, n)}${unit === '' ? '' : ` ${unit}`}`
    const bound = t.min !== undefined && t.max !== undefined
      ? (t.min === t.max ? `= ${show(t.min)}` : `${show(t.min)} .. ${show(t.max)}`)
      : t.min !== undefined ? `≥ ${show(t.min)}` : `≤ ${show(t.max ?? Number.NaN)}`
    const pass = !Number.isNaN(value) && (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max)
    return { threshold: t, label: labelOf(t), bound, value: shown(t, value), unit, pass }
  })
}
