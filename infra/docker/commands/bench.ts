import { spawn } from 'node:child_process'
import { repoRoot } from '../../native/config.js'
import type { Reporter } from '../../native/progress.js'
import { compose, TEST_COMPOSE_FILES } from '../compose-processes.js'
import { exec, tail } from '../engine/exec.js'
import { prepareDocker } from '../prepare.js'
import { assertPortsFree, containerMemory, leftovers, oomKilled, projectName } from './stack.js'
import { downTestStack, upTestStack } from './test.js'

/** The lab's own images, as Compose names them (<project>-<service>). */
async function labImages (project: string): Promise<Array<{ name: string, mb: number }>> {
  const result = await exec('docker', ['image', 'ls', '--format', '{{.Repository}}\t{{.Size}}', '--filter', `reference=${project}-*`])
  return result.stdout.trim().split('\n').filter((l) => l !== '').map((line) => {
    const [name = '', size = ''] = line.split('\t')
    const m = /^([\d.]+)([kMG]B)$/.exec(size)
    const factor: Record<string, number> = { kB: 0.001, MB: 1, GB: 1000 }
    return { name, mb: m === null ? Number.NaN : Number(m[1]) * (factor[m[2] ?? 'MB'] ?? Number.NaN) }
  }).sort((a, b) => a.name.localeCompare(b.name))
}

async function timed (fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return (performance.now() - started) / 1000
}

async function run (args: string[]): Promise<void> {
  const result = await compose(args, { files: TEST_COMPOSE_FILES, timeoutMs: 1_200_000 })
  if (result.code !== 0) throw new Error(`docker compose ${args.join(' ')} failed:\n${tail(result)}`)
}

/** Runs `./lab load <scenario>` against the stack while sampling `docker stats`; answers each container's peak. */
async function peakMemoryUnderLoad (project: string, scenario: string, reporter: Reporter): Promise<{ peaks: Map<string, number>, exitCode: number | null }> {
  const peaks = new Map<string, number>()
  const child = spawn(process.execPath, ['--import', 'tsx', 'load-tests/src/cli.ts', scenario], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] })
  const done = new Promise<number | null>((resolve) => { child.on('exit', resolve) })
  const state = { finished: false }
  done.then(() => { state.finished = true }, () => { state.finished = true })
  // A sample (docker stats --no-stream) takes about 2 s of the engine's time, then a pause as long: the
  // sampling itself takes CPU from the load it watches, on two cores.
  for (;;) {
    if (state.finished) break
    for (const m of await containerMemory(project)) peaks.set(m.name, Math.max(peaks.get(m.name) ?? 0, m.mib))
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
  reporter.line(`load ${scenario} done`)
  return { peaks, exitCode: await done }
}

/**
 * `./lab docker bench`: Docker mode's figures, each with its starting state. (1) stand-ins present, the
 * lab's images absent and the build cache empty → all healthy; (2) every image present → all healthy;
 * image sizes; (3) memory idle and at its peak under the checkout scenario, no container OOM-killed;
 * (4) down -v leaves nothing behind.
 */
export async function benchDocker (reporter: Reporter): Promise<number> {
  await prepareDocker(reporter.line)
  const project = await projectName()
  reporter.line('state 1: the lab\'s images removed and the build cache emptied (stand-ins kept)')
  await run(['down', '-v', '--remove-orphans', '--rmi', 'local'])
  await exec('docker', ['image', 'prune', '-f'])
  await exec('docker', ['builder', 'prune', '-af'])
  await assertPortsFree()
  const clean = await upTestStack(reporter)
  const images = await labImages(project)
  reporter.line('state 2: every image present, containers and volumes removed')
  await run(['down', '-v'])
  const cachedBuild = await timed(async () => { await run(['build']) })
  const warm = await timed(async () => { await run(['up', '-d', '--wait', '--wait-timeout', '300']) })
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  const idle = await containerMemory(project)
  reporter.line('state 3: the checkout scenario (./lab load checkout) against the stack, docker stats sampled throughout')
  const { peaks, exitCode } = await peakMemoryUnderLoad(project, 'checkout', reporter)
  const killed = await oomKilled(project)
  await downTestStack(reporter)
  const left = await leftovers(project)

  const rows = idle.map((m) => `| ${m.name} | ${m.limitMib.toFixed(0)} | ${m.mib.toFixed(0)} | ${(peaks.get(m.name) ?? Number.NaN).toFixed(0)} |`)
  const total = (values: number[]) => values.reduce((a, b) => a + b, 0).toFixed(0)
  reporter.print([
    '',
    `Docker mode figures (${new Date().toISOString().slice(0, 10)})`,
    '',
    '| figure | value |',
    '|---|---|',
    `| images absent, build cache empty → all healthy (docker compose up --build --wait) | ${clean.toFixed(1)} s |`,
    `| every image present → build (all cached) | ${cachedBuild.toFixed(1)} s |`,
    `| every image present → all healthy (docker compose up --wait) | ${warm.toFixed(1)} s |`,
    `| containers OOM-killed | ${killed.length === 0 ? 'none' : killed.join(', ')} |`,
    `| checkout scenario exit code | ${exitCode} |`,
    `| left after down -v | ${left.length === 0 ? 'nothing' : left.join(', ')} |`,
    '',
    '| image | size |',
    '|---|---|',
    ...images.map((i) => `| ${i.name} | ${i.mb.toFixed(0)} MB |`),
    '',
    '| container | limit MiB | idle MiB | peak under checkout MiB |',
    '|---|---|---|---|',
    ...rows,
    `| **total** | ${total(idle.map((m) => m.limitMib))} | ${total(idle.map((m) => m.mib))} | ${total([...peaks.values()])} |`
  ].join('\n'))
  return killed.length === 0 && left.length === 0 ? 0 : 1
}
