/**
 * `./lab experiment <name>|all [--short]`: runs experiments against the running lab, one at a time,
 * with progress lines, and writes each report under <LAB_HOME>/experiments/<name>-<time>/.
 * Exits 0 when every verdict passed, 1 when one failed, 2 on a usage error.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { EXPERIMENTS, findExperiment } from './registry.js'
import { runExperiment } from './runner.js'

class UsageError extends Error {}

const usage = () => `usage: ./lab experiment <name>|all [--short]

Runs an experiment against the running lab (./lab up -d): checks the steady state (gateway ready,
every Prometheus target up), applies load, injects the fault, checks the expectations on Prometheus
and on the data, rolls the fault back and checks the lab recovers. Experiments:
${EXPERIMENTS.map((e) => `  ${String(e.id).padStart(2)} ${e.name.padEnd(16)} ${e.title}`).join('\n')}
  --short   the short version (seconds; what ./lab test runs)
Reports (Markdown, a PNG chart, JSON) go to <LAB_HOME>/experiments/<name>-<time>/ (LAB_HOME: .lab).
Exits 0 when every verdict passed, 1 when one failed.`

async function main (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { short: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const [name, ...rest] = positionals
  if (name === undefined || rest.length > 0) throw new UsageError(name === undefined ? 'which experiment?' : `one name (or all), got ${positionals.join(' ')}`)
  let experiments
  try {
    experiments = name === 'all' ? EXPERIMENTS : [findExperiment(name)]
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const short = values.short === true
  const log = (line: string) => { process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`) }
  let failed = 0
  for (const experiment of experiments) {
    const result = await runExperiment(experiment, { short, progress: log })
    log(`[${experiment.name}] ${result.passed ? 'PASS' : 'FAIL'}: report ${join(result.dir, 'report.md')}`)
    if (!result.passed) failed++
  }
  if (experiments.length > 1) log(`${experiments.length - failed} of ${experiments.length} experiments passed`)
  return failed === 0 ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    const usageError = err instanceof UsageError || (err as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(usageError ? `lab experiment: ${message}\n\n${usage()}\n` : `lab experiment: ${message}\n`)
    process.exitCode = usageError ? 2 : 1
  }
)
