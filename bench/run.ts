/**
 * `./lab bench`: the foundation's figures from one run on this machine. Restarts the lab and times
 * `./lab up -d`, starts a bare Fastify hello-world and a bench gateway (both owned and stopped here),
 * drives autocannon at them and at the catalog, samples the lab's memory all along, prints a table
 * with PASS/FAIL per target and writes the figures to .lab/bench/foundation-<time>.json.
 * Exits 0 whatever the verdicts (it is a measurement); 1 when a run errored or a step failed.
 * `./lab bench checkout|consumer|inventory|observability|all` run the other benches instead (commands.ts).
 */
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { BenchUsageError, parseBenchArgs, splitCommand } from './args.js'
import { BENCH_GATEWAY_OVERRIDES, startBenchGateway, startHelloWorld } from './bench-servers.js'
import { labCatalogConfig } from './catalog.js'
import { OwnedProcesses } from './children.js'
import { runCommand } from './commands.js'
import { otherLabUsers, restartLab } from './lab-restart.js'
import { startMemorySampler } from './memory.js'
import { createOutput } from './output.js'
import { scenarioTable, verdicts, verdictTable } from './report.js'
import { printMemory, writeResults } from './results.js'
import { helloWorld, hit, miss, type ScenarioContext } from './scenarios.js'

const out = createOutput()
const indent = (text: string) => text.replace(/^/gm, '  ')

async function bench (argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv)
  const cores = availableParallelism()
  const fastify = (createRequire(import.meta.url)('fastify/package.json') as { version: string }).version
  out.line(`lab bench: ${options.durationSeconds} s per run, ${options.connections} connections, Node ${process.versions.node}, Fastify ${fastify}`)
  out.line(`note: ${cores} cores, shared by the load generator (autocannon, in this process) and the servers it measures:`)
  out.line('      absolute figures depend on the machine; compare within one run (ratios to the hello-world ceiling).')
  const load = loadavg()[0] ?? 0
  out.line(`      load average before the bench: ${load.toFixed(2)}${load > cores / 4 ? ' (other work on this machine will skew the figures)' : ''}`)
  out.line('warning: the bench restarts the lab (./lab down, data kept; then ./lab up -d) and leaves it up.')
  const users = otherLabUsers()
  if (users.length > 0 && !options.force) {
    out.line(`lab bench: the lab is in use by ${users.join(', ')} (a test run?); try again when it ends, or pass --force`)
    return 2
  }
  if (out.isTerminal) {
    out.line('starting in 3 s (Ctrl-C to cancel)')
    await sleep(3000)
  }

  const owned = new OwnedProcesses()
  const sampler = startMemorySampler()
  let samplerStopped = false
  const cleanUp = async () => {
    await owned.stopAll()
    if (!samplerStopped) await sampler.stop().catch(() => undefined)
    samplerStopped = true
  }
  const onSignal = (signal: NodeJS.Signals) => {
    out.line(`\nlab bench: ${signal}: stopping the bench's own processes (the lab is left as it is)`)
    cleanUp().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    const started = new Date()
    out.line('\n1. time from ./lab up -d to all healthy')
    const lab = await restartLab((text) => { out.line(`  ${text}`) }, sampler.phase)
    out.line(`  => ./lab up -d returned after ${lab.upSeconds.toFixed(1)} s`)

    out.line('\n2. bench processes (stopped at the end)')
    sampler.phase('bench processes start')
    const hello = await startHelloWorld(owned)
    sampler.own('hello-world', hello.process.pid)
    out.line(`  hello-world: bare Fastify ${fastify}, logger off, on ${hello.url}`)
    const gateway = await startBenchGateway(owned)
    sampler.own('bench gateway', gateway.process.pid)
    out.line(`  bench gateway: gateway/src/server.ts on ${gateway.url} -> ${gateway.upstreams} (the lab's catalog replicas)`)
    out.line(`    env as the lab's gateway but ${Object.entries(BENCH_GATEWAY_OVERRIDES).map(([k, v]) => `${k}=${v}`).join(' ')}:`)
    out.line(`    the lab's rate limit would throttle the bench. Log: ${gateway.log}`)

    const catalog = labCatalogConfig()
    const ctx: ScenarioContext = { options, out, sampler, products: catalog.SEED_PRODUCTS, keyPrefix: catalog.REDIS_KEY_PREFIX, notes: [] }
    out.line(`\n3. load: GET /products/:id of catalog-1 (${catalog.url}) and through the bench gateway (/catalog/products/:id);`)
    out.line(`   ${ctx.products} products; the lab runs its replicas with LOG_LEVEL=info (a log line per request)`)
    const ceiling = await helloWorld(ctx, `${hello.url}/`)
    const directMiss = await miss(ctx, 'catalog-1 miss (direct)', catalog.url)
    const directHit = await hit(ctx, 'catalog-1 hit (direct)', catalog.url)
    const gatewayMiss = await miss(ctx, 'gateway miss', `${gateway.url}/catalog`)
    const gatewayHit = await hit(ctx, 'gateway hit', `${gateway.url}/catalog`)
    out.line('  the two hit runs again at 1 connection: the gateway\'s own cost, without queueing on shared cores')
    const single = {
      directHit: await hit(ctx, 'catalog-1 hit, 1 connection', catalog.url, 1),
      gatewayHit: await hit(ctx, 'gateway hit, 1 connection', `${gateway.url}/catalog`, 1)
    }

    const memory = await sampler.stop()
    samplerStopped = true
    await owned.stopAll()

    out.line(`\nresults (${options.connections} connections unless said; p50/p99 from each 2xx response's own time, in ms)`)
    out.line(indent(scenarioTable([
      { result: ceiling },
      { result: directMiss, expected: 'miss' },
      { result: directHit, expected: 'hit' },
      { result: gatewayMiss, expected: 'miss' },
      { result: gatewayHit, expected: 'hit' },
      { result: single.directHit, expected: 'hit' },
      { result: single.gatewayHit, expected: 'hit' }
    ], ceiling)))
    for (const note of ctx.notes) out.line(`  note: ${note}`)
    out.line('\n4. memory')
    printMemory(out, memory)
    const list = verdicts({ upSeconds: lab.upSeconds, directMiss, directHit, gatewayHit, single, labPeak: memory.peak === undefined ? undefined : { rssBytes: memory.peak.rssBytes, pssBytes: memory.peakPssBytes } })
    out.line('\ntargets (a measurement: the exit code does not depend on them)')
    out.line(indent(verdictTable(list)))

    const runs = { ceiling, directMiss, directHit, gatewayMiss, gatewayHit, directHitOneConnection: single.directHit, gatewayHitOneConnection: single.gatewayHit }
    const file = writeResults(started, { options, cores, loadAverageBefore: load, node: process.versions.node, fastify, lab, benchGateway: { overrides: BENCH_GATEWAY_OVERRIDES, upstreams: gateway.upstreams }, runs, verdicts: list, memory, notes: ctx.notes })
    out.line(`\nwritten to ${file}; the lab stays up (./lab down stops it)`)
    const failed = Object.values(runs).filter((r) => r.errors > 0 || r.non2xx > 0)
    if (failed.length > 0) out.line(`lab bench: runs with errors or non-2xx answers: ${failed.map((r) => r.title).join(', ')}`)
    return failed.length > 0 ? 1 : 0
  } finally {
    await cleanUp()
  }
}

const { command, args } = splitCommand(process.argv.slice(2))
;(command === 'foundation' ? bench(args) : runCommand(command, args)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    if (err instanceof BenchUsageError) {
      // --help asked for it: stdout and success; a bad option: stderr and the usage-error code.
      if (err.message === '') process.stdout.write(`${err.usage}\n`)
      else process.stderr.write(`lab bench: ${err.message}\n\n${err.usage}\n`)
      process.exitCode = err.message === '' ? 0 : 2
      return
    }
    process.stderr.write(`lab bench: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
)
