import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from '../cli-args.js'
import { TEST_INFRA, withDependencies } from '../components/registry.js'
import { repoRoot } from '../config.js'
import { processOwner } from '../leases.js'
import { EnsureError, ensureComponents, releaseComponents } from '../orchestrator.js'
import { parseVitestReport, summarize, summaryLine, type Summary } from '../test-summary.js'
import type { CommandContext } from './context.js'

/** Runs a command in the repository with the terminal attached; resolves with its exit code. */
async function run (command: string, args: string[], signal: AbortSignal): Promise<number | null> {
  return await new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', signal })
    child.on('error', () => resolve(null))
    child.on('exit', (code) => resolve(code))
  })
}

function readIfExists (file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** Lint, typecheck and vitest, in the repository; the summary of the three. */
async function runChecks (resultsFile: string, vitestArgs: string[], context: CommandContext, signal: AbortSignal): Promise<Summary> {
  const step = async (label: string, args: string[]) => {
    if (signal.aborted) return null // interrupted: the remaining checks count as failed, unrun
    context.reporter.line(label)
    return await run('pnpm', args, signal)
  }
  const lint = await step('lint (pnpm -s lint)', ['-s', 'lint'])
  const typecheck = await step('typecheck (pnpm -s typecheck)', ['-s', 'typecheck'])
  rmSync(resultsFile, { force: true })
  const vitestExit = await step('tests (vitest run)', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json',
    `--outputFile=${resultsFile}`, ...vitestArgs])
  return summarize({
    lintPassed: lint === 0,
    typecheckPassed: typecheck === 0,
    vitest: { exitCode: vitestExit, report: parseVitestReport(readIfExists(resultsFile)) }
  })
}

/**
 * `./lab test`: the test infrastructure in fast mode, then lint, typecheck and vitest; stops what this
 * command started (unless others still use it), and ends with one line, `N passed, N failed`.
 */
export async function test (command: Extract<Command, { name: 'test' }>, context: CommandContext): Promise<number> {
  const { paths, components, reporter } = context
  const targets = withDependencies(components, TEST_INFRA)
  const owner = processOwner()
  const aborted = new AbortController()
  const onSignal = () => aborted.abort()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let started: string[] = []
  let summary: Summary
  try {
    started = (await ensureComponents(paths, targets, { fast: true, log: reporter.line, owner })).started
    summary = await runChecks(join(paths.home, 'test-results.json'), command.vitestArgs, context, aborted.signal)
  } catch (err) {
    if (err instanceof EnsureError) started = err.started
    reporter.error((err as Error).message)
    summary = { passed: 0, failed: 1 }
  } finally {
    // Also when interrupted or failed: stop what this command started.
    if (command.keepInfra && started.length > 0) reporter.line(`keeping ${started.join(', ')} running (./lab down stops it)`)
    if (!command.keepInfra) await releaseComponents(paths, owner, started, components, reporter.line)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  reporter.print(summaryLine(summary))
  return summary.failed === 0 ? 0 : 1
}
