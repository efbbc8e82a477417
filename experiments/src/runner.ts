import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { labHome } from '../../infra/native/config.js'
import { withLock } from '../../infra/native/lock.js'
import { chartPng, type ChartPanel } from './chart.js'
import { labUrls, steadyState, type LabUrls } from './lab.js'
import { Prometheus } from './prometheus.js'
import { markdownReport, summaryLines, type ExperimentResult } from './report.js'
import type { Experiment, ExperimentOutcome, Verdict } from './types.js'

export interface RunnerOptions {
  short: boolean
  progress?: (line: string) => void
  urls?: LabUrls
  /** Where the report folders go (default <LAB_HOME>/experiments). */
  outDir?: string
  /** How long to wait for the lab to be healthy before the experiment (default 60 s). */
  settleTimeoutMs?: number
  /** How long the lab may take to be healthy again after the fault. */
  recoveryTimeoutMs?: number
}

export interface RunnerResult extends ExperimentResult { dir: string }

const emptyOutcome = (): ExperimentOutcome => ({ figures: [], verdicts: [], windows: [], panels: [], notes: [] })

async function recovered (urls: LabUrls, prometheus: Prometheus, timeoutMs: number): Promise<Verdict[]> {
  const deadline = Date.now() + timeoutMs
  const started = Date.now()
  for (;;) {
    const state = await steadyState(urls, prometheus)
    if (state.healthy || Date.now() > deadline) {
      const seconds = (Date.now() - started) / 1000
      return [...state.verdicts, { name: 'healthy again within', measured: state.healthy ? Number(seconds.toFixed(1)) : Number.NaN, unit: 's', threshold: `≤ ${timeoutMs / 1000} s`, pass: state.healthy, ...(state.healthy ? {} : { note: state.problems.join('; ') }) }]
    }
    await sleep(1000)
  }
}

/**
 * Runs one experiment as a steady-state hypothesis: the lab must be healthy first (else nothing is
 * broken and the run fails), then the experiment loads, breaks, measures and rolls back, then the lab
 * must be healthy again. Writes report.md, chart.png and result.json to a fresh folder.
 */
export async function runExperiment (experiment: Experiment, options: RunnerOptions): Promise<RunnerResult> {
  const progress = options.progress ?? (() => {})
  return await withExperimentLock(async () => await runUnlocked(experiment, options), (pid) => { progress(`waiting for the experiment of process ${pid} to end`) })
}

/**
 * Runs `fn` while no experiment breaks the lab: one experiment at a time (the command's or a test's),
 * and anything else that needs a healthy lab for a while (a live test driving traffic) can take it too.
 */
export async function withExperimentLock<T> (fn: () => Promise<T>, onWait?: (holderPid: number) => void): Promise<T> {
  return await withLock(join(labHome(), 'experiments', 'lock'), { timeoutMs: 15 * 60_000, ...(onWait === undefined ? {} : { onWait }) }, fn)
}

async function runUnlocked (experiment: Experiment, options: RunnerOptions): Promise<RunnerResult> {
  const progress = options.progress ?? (() => {})
  const urls = options.urls ?? labUrls()
  const prometheus = new Prometheus(urls.prometheus)
  const startedAt = new Date()
  const dir = join(options.outDir ?? join(labHome(), 'experiments'), `${experiment.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
  mkdirSync(dir, { recursive: true })

  progress(`[${experiment.name}] steady state: gateway ready, every Prometheus target up`)
  // A shared lab has services restarted by others now and then: give it a minute to settle first.
  let before = await steadyState(urls, prometheus)
  for (const deadline = Date.now() + (options.settleTimeoutMs ?? 60_000); !before.healthy && Date.now() < deadline;) {
    progress(`[${experiment.name}] not yet: ${before.problems.join('; ')}`)
    await sleep(3000)
    before = await steadyState(urls, prometheus)
  }
  let outcome = emptyOutcome()
  let error: string | undefined
  if (!before.healthy) {
    error = `the lab is not healthy, nothing was broken: ${before.problems.join('; ')}`
  } else {
    try {
      outcome = await experiment.run({ short: options.short, urls, prometheus, progress: (line) => { progress(`[${experiment.name}] ${line}`) } })
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
    }
  }
  progress(`[${experiment.name}] recovery: waiting for the steady state again`)
  const after = before.healthy ? await recovered(urls, prometheus, options.recoveryTimeoutMs ?? 60_000) : []
  const endedAt = new Date()

  let chartFile: string | undefined
  if (outcome.panels.length > 0) {
    try {
      // One more scrape, so the chart reaches the end of the run.
      await prometheus.scrapedAfter(endedAt.getTime(), { timeoutMs: 15_000 }).catch(() => {})
      const startMs = startedAt.getTime() - 5000
      const endMs = Date.now()
      const panels: ChartPanel[] = []
      for (const panel of outcome.panels) {
        const series = []
        for (const s of panel.series) {
          if ('points' in s) {
            series.push({ name: s.name, points: s.points })
            continue
          }
          const [first] = await prometheus.range(s.promql, startMs, endMs, 1)
          series.push({ name: s.name, points: first?.points ?? [] })
        }
        panels.push({ title: panel.title, unit: panel.unit, series })
      }
      writeFileSync(join(dir, 'chart.png'), chartPng({ title: `Experiment ${experiment.id}: ${experiment.title}`, startMs, endMs, windows: outcome.windows, panels }))
      chartFile = 'chart.png'
    } catch (err) {
      outcome.notes.push(`no chart: ${(err as Error).message}`)
    }
  }

  const passed = error === undefined && before.healthy && [...outcome.verdicts, ...after].every((v) => v.pass) && outcome.verdicts.length > 0
  const result: ExperimentResult = {
    experiment: { id: experiment.id, name: experiment.name, title: experiment.title, hypothesis: experiment.hypothesis, fault: experiment.fault },
    short: options.short,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    before: before.verdicts,
    after,
    outcome,
    ...(error === undefined ? {} : { error }),
    passed
  }
  writeFileSync(join(dir, 'report.md'), markdownReport(result, chartFile))
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`)
  for (const line of summaryLines(result)) progress(line)
  return { ...result, dir }
}
