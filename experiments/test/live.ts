import { afterAll, beforeAll, expect } from 'vitest'
import { labMode } from '../../infra/docker/mode.js'
import { ensureInfra, stopComponents } from '../../infra/native/index.js'
import { infra, services } from '../../infra/topology.js'
import { findExperiment, runExperiment, type RunnerResult } from '../src/index.js'
import { formatMeasured } from '../src/verdict.js'

const log = (line: string) => { process.stderr.write(`[experiments] ${line}\n`) }

/**
 * For a test file of one experiment: the whole native lab running (started if it is not, and then only
 * what this file started is stopped again: a running lab is shared and left running). In Docker mode
 * (LAB_MODE=docker) the Compose stack is brought up by `./lab test --docker` before any file runs.
 */
export function useLiveLab (): void {
  if (labMode() === 'docker') return
  let started: string[] = []
  beforeAll(async () => {
    const components = [...infra.filter((c) => c.native).map((c) => c.name), ...services.map((s) => s.name)]
    started = (await ensureInfra({ components, log })).started
    if (started.length > 0) log(`started ${started.join(', ')} (stopped again at the end)`)
  }, 300_000)
  afterAll(async () => { await stopComponents(started, log) }, 120_000)
}

/** Runs the experiment's short version; the failed verdicts, with their figures, are the assertion's message. */
export async function runShort (name: string): Promise<RunnerResult> {
  const result = await runExperiment(findExperiment(name), { short: true, progress: log })
  const failed = [...result.before, ...result.outcome.verdicts, ...result.after].filter((v) => !v.pass).map((v) => `${v.name}: ${formatMeasured(v)} (${v.threshold})`)
  expect({ error: result.error, failed, report: result.dir }).toEqual({ error: undefined, failed: [], report: result.dir })
  return result
}
