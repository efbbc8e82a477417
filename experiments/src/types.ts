import type { LabUrls } from './lab.js'
import type { Prometheus } from './prometheus.js'

/** One falsifiable expectation, judged: the measured value against its threshold. */
export interface Verdict {
  name: string
  measured: number
  /** How the value reads, e.g. '%', 'ms', 'reads'. */
  unit: string
  /** The rule, as the report prints it: '≥ 90', '= 100', '≤ 5 s'. */
  threshold: string
  pass: boolean
  /** Why the figure may mislead (e.g. other traffic on the shared lab). */
  note?: string
}

export interface Figure { label: string, value: string }

/** A stretch of the run shaded on the chart: the fault, or a warm-up. */
export interface Window { label: string, startMs: number, endMs: number }

/** A series from Prometheus (query_range over the run), or measured by the experiment itself (time in ms, value). */
export type SeriesSpec = { name: string, promql: string } | { name: string, points: Array<[number, number]> }

/** One panel of the chart: series of one unit over the run's time. */
export interface PanelSpec { title: string, unit: string, series: SeriesSpec[] }

/**
 * A pattern's variants measured the same way, one column each (on / off, optimistic / naive), so the
 * report shows what the pattern prevents beside what it does.
 */
export interface SideBySide { title: string, columns: string[], rows: Array<{ label: string, values: string[] }> }

export interface ExperimentOutcome {
  figures: Figure[]
  verdicts: Verdict[]
  sideBySide?: SideBySide[]
  windows: Window[]
  panels: PanelSpec[]
  notes: string[]
}

export interface ExperimentContext {
  /** The short version (seconds, for the test command) instead of the full one. */
  short: boolean
  urls: LabUrls
  prometheus: Prometheus
  progress: (line: string) => void
}

/**
 * A steady-state hypothesis (principlesofchaos.org): the lab is healthy, a scenario's load runs, a fault
 * is injected, the expectations hold on Prometheus and on the data, the fault is rolled back, and the
 * lab recovers. The runner checks health before and after; `run` does the rest and always rolls back.
 */
export interface Experiment {
  /** Its number in issue 6's list. */
  id: number
  name: string
  title: string
  hypothesis: string
  /** What is broken on purpose (or 'none'). */
  fault: string
  run: (ctx: ExperimentContext) => Promise<ExperimentOutcome>
}
