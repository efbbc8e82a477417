/**
 * `./lab load <scenario> [--rate r] [--duration s] [--base url] [--inventory url]`: one scenario of
 * load-tests/scenarios against the running lab, with a progress line, then the report (achieved rate,
 * latencies, answers by status, each threshold's verdict), also written as JSON under <LAB_HOME>/load/.
 * Exits 0 when every threshold passed, 1 when one failed, 2 on a usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { withOverrides } from '../lib/scenario.js'
import { labHome } from '../../infra/native/config.js'
import { address } from '../../infra/topology.js'
import { runScenario } from './driver.js'
import { createProgress } from './progress.js'
import { formatProgress, formatReport } from './report.js'
import { loadScenario, scenarioNames } from './scenarios.js'

class UsageError extends Error {}

const usage = () => `usage: ./lab load <scenario> [--rate <per second>] [--duration <seconds>] [--base <url>] [--inventory <url>]

Runs a scenario of load-tests/scenarios (the same files the k6 scripts read) against the lab:
${scenarioNames().map((n) => {
  const s = loadScenario(n)
  return `  ${n.padEnd(11)} ${s.rate}/s for ${s.durationSeconds} s: ${s.title}`
}).join('\n')}
  --rate       iterations started per second (open model), instead of the scenario's
  --duration   seconds, instead of the scenario's
  --base       the gateway (default http://${address('gateway', 'native')})
  --inventory  inventory itself, where the flash sale sets its stock (default http://${address('inventory', 'native')})
Exits 0 when every threshold passed, 1 when one failed.`

function positive (value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number >= 1, got ${JSON.stringify(value)}`)
  return n
}

async function main (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { rate: { type: 'string' }, duration: { type: 'string' }, base: { type: 'string' }, inventory: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help === true) {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const [name, ...rest] = positionals
  if (name === undefined || rest.length > 0) throw new UsageError(name === undefined ? 'which scenario?' : `one scenario at a time, got ${positionals.join(' ')}`)
  const rate = positive(values.rate, 'rate')
  const durationSeconds = positive(values.duration, 'duration')
  const scenario = withOverrides(loadScenario(name), { ...(rate === undefined ? {} : { rate }), ...(durationSeconds === undefined ? {} : { durationSeconds }) })
  const baseUrl = (values.base ?? `http://${address('gateway', 'native')}`).replace(/\/+$/, '')
  const inventoryUrl = (values.inventory ?? `http://${address('inventory', 'native')}`).replace(/\/+$/, '')

  const abort = new AbortController()
  const onSignal = () => {
    process.stderr.write('\nlab load: stopping (the figures so far follow)\n')
    abort.abort()
  }
  process.once('SIGINT', onSignal)
  const progress = createProgress()
  process.stdout.write(`lab load ${scenario.name}: ${scenario.rate}/s for ${scenario.durationSeconds} s → ${baseUrl} (Ctrl-C stops it early)\n`)
  try {
    const report = await runScenario(scenario, {
      baseUrl,
      inventoryUrl,
      signal: abort.signal,
      onProgress: (p) => { progress.update(formatProgress(scenario.name, scenario.durationSeconds, p)) }
    })
    progress.done()
    process.stdout.write(`\n${formatReport(report)}\n`)
    const dir = join(labHome(), 'load')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${scenario.name}-${report.startedAt.replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(`\n  written to ${file}\n`)
    return report.passed ? 0 : 1
  } finally {
    process.off('SIGINT', onSignal)
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    const usageError = err instanceof UsageError || (err as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(usageError ? `lab load: ${message}\n\n${usage()}\n` : `lab load: ${message}\n`)
    process.exitCode = usageError || message.startsWith('no scenario') || message.startsWith('scenario ') ? 2 : 1
  }
)
