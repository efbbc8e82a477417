import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { repoRoot } from '../infra/native/config.js'
import { BenchUsageError, type BenchCommand } from './args.js'
import { table } from './report.js'

const INVENTORY_USAGE = `usage: ./lab bench inventory [--buyers <n>] [--units <n>] [--connections <n>] [--sustained <n>] [--naive-delay-ms <ms>] [--set NAME=VALUE ...]

Runs services/inventory/bench/strategies.ts (its header explains each option): the optimistic, pessimistic
and naive stock strategies under the same contention, each on an inventory of its own.`

const ALL_USAGE = `usage: ./lab bench all [--force]

Runs, one after the other and with their defaults: ./lab bench (the foundation: it restarts the lab),
./lab bench checkout, consumer, inventory and observability. Exits 1 if any of them failed.
  --force  passed to the foundation: restart the lab even while a test run is using it`

/** `node --import tsx <script> <args>` from the repository root, sharing our terminal; resolves with its exit code. */
export async function runScript (script: string, args: string[]): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, stdio: 'inherit' })
    // Ctrl-C reaches the child from the terminal anyway; a signal sent to this process alone is passed on.
    const forward = (signal: NodeJS.Signals) => { child.kill(signal) }
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve(code ?? (signal === null ? 1 : 128))
    })
  })
}

async function inventory (args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) throw new BenchUsageError('', INVENTORY_USAGE)
  return await runScript('services/inventory/bench/strategies.ts', args)
}

async function all (args: string[]): Promise<number> {
  let force: boolean | undefined
  let help: boolean | undefined
  try {
    ({ force, help } = parseArgs({ args, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values)
  } catch (err) {
    throw new BenchUsageError((err as Error).message, ALL_USAGE)
  }
  if (help === true) throw new BenchUsageError('', ALL_USAGE)
  const runs: Array<{ name: string, args: string[] }> = [
    { name: 'foundation', args: force === true ? ['--force'] : [] },
    { name: 'checkout', args: ['checkout'] },
    { name: 'consumer', args: ['consumer'] },
    { name: 'inventory', args: ['inventory'] },
    { name: 'observability', args: ['observability'] }
  ]
  const codes: Array<[string, number]> = []
  for (const run of runs) {
    process.stdout.write(`\n=== ./lab bench ${run.args.join(' ')} ===\n`)
    codes.push([run.name, await runScript('bench/run.ts', run.args)])
  }
  process.stdout.write(`\nlab bench all:\n${table([['  bench', 'exit code'], ...codes.map(([name, code]) => [`  ${name}`, String(code)])])}\n`)
  return codes.every(([, code]) => code === 0) ? 0 : 1
}

/** A bench command other than the foundation (bench/run.ts runs that one itself). */
export async function runCommand (command: Exclude<BenchCommand, 'foundation'>, args: string[]): Promise<number> {
  switch (command) {
    case 'checkout': return await (await import('./checkout/run.js')).benchCheckout(args)
    case 'consumer': return await (await import('./consumer/run.js')).benchConsumer(args)
    case 'inventory': return await inventory(args)
    case 'observability': return await (await import('./observability/run.js')).benchObservability(args)
    case 'all': return await all(args)
  }
}
