import { startBenchGateway, type BenchServer } from '../bench-servers.js'
import { getEach } from '../catalog.js'
import type { OwnedProcesses } from '../children.js'
import { runLoad, type LoadResult } from '../load.js'
import type { Output } from '../output.js'
import { fmtInt, fmtMs } from '../report.js'
import type { OverheadRun } from './figures.js'
import { HOT_PRODUCTS } from './traffic.js'

export interface OverheadGateways { on: BenchServer, off: BenchServer }

/** The two bench gateways: the lab's environment, rate limits lifted; the second without metrics. */
export async function startOverheadGateways (owned: OwnedProcesses): Promise<OverheadGateways> {
  const on = await startBenchGateway(owned, { name: 'bench gateway metrics on' })
  const off = await startBenchGateway(owned, { name: 'bench gateway metrics off', env: { METRICS_ENABLED: 'false' } })
  return { on, off }
}

const hotPath = (sequence: number) => `/catalog/products/${(sequence % HOT_PRODUCTS) + 1}`
const summary = (r: LoadResult) => `${fmtInt(r.requestsPerSecond)} req/s, p50 ${fmtMs(r.p50Ms)} ms, p99 ${fmtMs(r.p99Ms)} ms, ` +
  `${r.errors} errors, ${r.non2xx} non-2xx, x-cache hit ${fmtInt(r.cache?.hit ?? 0)}/${fmtInt(r.requests)}`

/**
 * Product-page hits through both gateways at the same time, `rounds` times, after one warm-up pass
 * over the hot pages through each. Run side by side rather than one after the other, the two see the
 * same machine at every moment: on two cores shared with other work, runs minutes apart differed by
 * more than the metrics cost, and whichever gateway happened to run in a quiet spell won.
 */
export async function measureOverhead (gateways: OverheadGateways, options: { rounds: number, durationSeconds: number, connections: number }, out: Output): Promise<OverheadRun[]> {
  const paths = Array.from({ length: HOT_PRODUCTS }, (_, i) => hotPath(i))
  for (const gateway of [gateways.on, gateways.off]) await getEach(gateway.url, paths)
  out.line(`  warmed product pages 1..${HOT_PRODUCTS} through both`)
  const runs: OverheadRun[] = []
  for (let round = 1; round <= options.rounds; round++) {
    if (!out.isTerminal) out.line(`  running round ${round}: ${options.durationSeconds} s, ${options.connections} connections to each gateway at once`)
    const perSecond = { on: 0, off: 0 }
    const load = async (metrics: boolean) => {
      const gateway = metrics ? gateways.on : gateways.off
      const side = metrics ? 'on' : 'off'
      return await runLoad({
        title: `hit, metrics ${side} (round ${round})`,
        url: `${gateway.url}${hotPath(0)}`,
        pathOf: hotPath,
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        countCache: true,
        onTick: (elapsed, answers) => {
          perSecond[side] = answers
          out.progress(`  round ${round}: ${elapsed}/${options.durationSeconds} s, metrics on ${fmtInt(perSecond.on)} req/s, off ${fmtInt(perSecond.off)} req/s`)
        }
      })
    }
    const [on, off] = await Promise.all([load(true), load(false)])
    out.line(`  round ${round}, metrics on:  ${summary(on)}`)
    out.line(`  round ${round}, metrics off: ${summary(off)}`)
    runs.push({ metrics: true, result: on }, { metrics: false, result: off })
  }
  return runs
}
