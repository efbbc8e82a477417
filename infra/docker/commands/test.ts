import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { labHome, repoRoot } from '../../native/config.js'
import type { Reporter } from '../../native/progress.js'
import { parseVitestReport, type Summary } from '../../native/test-summary.js'
import { compose, TEST_COMPOSE_FILES } from '../compose-processes.js'
import { tail } from '../engine/exec.js'
import { prepareDocker } from '../prepare.js'
import { assertPortsFree, containerMemory, leftovers, oomKilled, projectName } from './stack.js'

export interface DockerTestOptions {
  /** Leave the stack up after the tests (./lab docker down takes it away). */
  keep: boolean
  vitestArgs: string[]
}

/** `docker compose up --build -d --wait` of the test stack, with each line of progress; answers seconds. */
export async function upTestStack (reporter: Reporter): Promise<number> {
  const started = performance.now()
  const seen = new Set<string>()
  reporter.line('docker compose -f docker-compose.yml -f docker-compose.test.yml up --build -d --wait (Grafana and k6 left out: AGPL)')
  const result = await compose(['up', '--build', '-d', '--wait', '--wait-timeout', '600'], {
    files: TEST_COMPOSE_FILES,
    timeoutMs: 1_200_000,
    onLine: (line) => {
      // Compose repeats some events (each Built and Healthy came twice): one line each.
      if (!/^\s*(Container|Image|Network|Volume|Step \d+|Successfully built)/.test(line) && !/Healthy|Started|Built|Error/.test(line)) return
      if (seen.has(line.trim())) return
      seen.add(line.trim())
      reporter.line(`  ${line.trim()}`)
    }
  })
  if (result.code !== 0) throw new Error(`docker compose up failed:\n${tail(result, 30)}`)
  return (performance.now() - started) / 1000
}

export async function downTestStack (reporter: Reporter): Promise<void> {
  reporter.line('docker compose down -v (containers, network and volumes)')
  const result = await compose(['down', '-v', '--remove-orphans', '--timeout', '20'], { files: TEST_COMPOSE_FILES, timeoutMs: 300_000 })
  if (result.code !== 0) throw new Error(`docker compose down failed:\n${tail(result)}`)
}

async function vitest (args: string[], resultsFile: string): Promise<{ exitCode: number | null, report: ReturnType<typeof parseVitestReport> }> {
  rmSync(resultsFile, { force: true })
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn('pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${resultsFile}`, ...args], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, LAB_MODE: 'docker', LAB_TEST_INFRA: 'docker' }
    })
    child.on('error', () => { resolve(null) })
    child.on('exit', (code) => { resolve(code) })
  })
  let text: string | undefined
  try { text = readFileSync(resultsFile, 'utf8') } catch {}
  return { exitCode, report: parseVitestReport(text) }
}

/**
 * `./lab test --docker`: the engine and images (./lab docker prepare), the Compose stack up with the
 * test override, then the Docker-mode tests (the stack's end-to-end proof, the dashboards' live check,
 * the experiments that belong in both modes, and the testcontainers suites), then the stack down with
 * nothing left behind. Each of prepare, up and down counts as one check; ends with `N passed, N failed`.
 */
export async function testDocker (options: DockerTestOptions, reporter: Reporter): Promise<Summary> {
  const checks: Array<{ name: string, passed: boolean }> = []
  const check = async (name: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn()
      checks.push({ name, passed: true })
      return true
    } catch (err) {
      reporter.error(`${name}: ${(err as Error).message}`)
      checks.push({ name, passed: false })
      return false
    }
  }
  let vitestSummary: Summary = { passed: 0, failed: 0 }
  let project = ''
  const prepared = await check('prepare', async () => {
    const result = await prepareDocker(reporter.line)
    const built = result.images.filter((i) => i.outcome !== 'present')
    reporter.line(`prepared in ${result.seconds.toFixed(1)} s: engine ${result.engine.version}, Compose ${result.compose}, ${result.images.length} images (${built.length === 0 ? 'all present' : built.map((i) => `${i.image} ${i.outcome} in ${i.seconds} s`).join(', ')})`)
    await assertPortsFree()
    project = await projectName()
  })
  if (prepared) {
    const up = await check('up', async () => {
      const seconds = await upTestStack(reporter)
      reporter.line(`every container healthy ${seconds.toFixed(1)} s after docker compose up`)
      for (const m of await containerMemory(project)) reporter.line(`  ${m.name.padEnd(18)} ${m.mib.toFixed(0).padStart(5)} MiB of ${m.limitMib.toFixed(0)}`)
    })
    if (up) {
      const resultsFile = join(labHome(), 'test-results-docker.json')
      const projects = options.vitestArgs.some((a) => a.startsWith('--project')) ? [] : ['--project', 'testcontainers', '--project', 'docker-alerts', '--project', 'docker-lab']
      const { exitCode, report } = await vitest([...projects, ...options.vitestArgs], resultsFile)
      if (report === undefined) vitestSummary = { passed: 0, failed: 1 }
      else {
        const broken = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length
        const failed = report.numFailedTests + broken
        vitestSummary = { passed: report.numPassedTests, failed: failed === 0 && exitCode !== 0 ? 1 : failed }
      }
      await check('no container killed for memory', async () => {
        const killed = await oomKilled(project)
        if (killed.length > 0) throw new Error(`OOMKilled: ${killed.join(', ')}`)
      })
    }
    if (options.keep) reporter.line('keeping the stack up (--keep): ./lab docker down takes it away')
    else {
      await check('down leaves nothing behind', async () => {
        await downTestStack(reporter)
        const left = await leftovers(project)
        if (left.length > 0) throw new Error(`still there after docker compose down -v: ${left.join(', ')}`)
      })
    }
  }
  return {
    passed: vitestSummary.passed + checks.filter((c) => c.passed).length,
    failed: vitestSummary.failed + checks.filter((c) => !c.passed).length
  }
}
