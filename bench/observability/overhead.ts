import { startBenchGateway, type BenchServer } from '../bench-servers.js'
import { getEach } from '../catalog.js'
import type { OwnedProcesses } from '../children.js'
import { runLoad } from '../load.js'
import type { Output } from '../output.js'
import { fmtInt, fmtMs } from '../report.js'
import { overheadOrder, type OverheadRun } from './figures.js'
import { HOT_PRODUCTS } from './traffic.js'

export interface OverheadGateways { on: BenchServer, off: BenchServer }

/** The two bench gateways: the lab's environment, rate limits lifted; the second without metrics. */
export async function startOverheadGateways (owned: OwnedProcesses): Promise<OverheadGateways> {
  const on = await startBenchGateway(owned, { name: 'bench gateway metrics on' })
  const off = await startBenchGateway(owned, { name: 'bench gateway metrics off', env: { METRICS_ENABLED: 'false' } })
  return { on, off }
}

const hotPath = (sequence: number) => `/catalog/products/${(sequence % HOT_PRODUCTS) + 1}`

/**
 * Product-page hits through each gateway, `rounds` pairs of runs in alternating order (figures.ts
 * overheadOrder), after one warm-up pass over the hot pages through both.
 */
export async function measureOverhead (gateways: OverheadGateways, options: { rounds: number, durationSeconds: number, connections: number }, out: Output): Promise<OverheadRun[]> {
  const paths = Array.from({ length: HOT_PRODUCTS }, (_, i) => hotPath(i))
  for (const gateway of [gateways.on, gateways.off]) await getEach(gateway.url, paths)
  out.line(`  warmed product pages 1..${HOT_PRODUCTS} through both`)
  const runs: OverheadRun[] = []
  for (const [i, metrics] of overheadOrder(options.rounds).entries()) {
    const title = `hit, metrics ${metrics ? 'on' : 'off'} (run ${i + 1})`
    const gateway = metrics ? gateways.on : gateways.off
    if (!out.isTerminal) out.line(`  running ${title}: ${options.durationSeconds} s, ${options.connections} connections, ${gateway.url}`)
    const result = await runLoad({
      title,
      url: `${gateway.url}${hotPath(0)}`,
      pathOf: hotPath,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      countCache: true,
      onTick: (elapsed, perSecond) => { out.progress(`  ${title}: ${elapsed}/${options.durationSeconds} s, ${fmtInt(perSecond)} req/s`) }
    })
    out.line(`  ${title}: ${fmtInt(result.requestsPerSecond)} req/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(result.p99Ms)} ms, ` +
      `${result.errors} errors, ${result.non2xx} non-2xx, x-cache hit ${fmtInt(result.cache?.hit ?? 0)}/${fmtInt(result.requests)}`)
    runs.push({ metrics, result })
  }
  return runs
}
