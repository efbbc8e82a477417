/**
 * `./lab bench checkout`: issue 4's figures on the running lab. Starts a bench gateway (the lab's
 * environment, rate limits lifted), follows orders.confirmed.v1 / orders.cancelled.v1 with a consumer
 * group of its own, prices the run's products at 1.00 (stock.ts says why), then:
 *   a. throughput: POST /orders as fast as they are taken for --duration s, then waits for every
 *      placed order to reach a final state;
 *   b. latency: --rate orders/s evenly paced for --rate-duration s (autocannon overallRate, staggered
 *      instances: orders-load.ts paced()), POST → confirmed.
 * Puts the prices and stock back, prints figures and PASS/FAIL per target, writes
 * .lab/bench/checkout-<time>.json. Exit 0 whatever the verdicts; 1 when the run itself failed.
 */
import { availableParallelism, loadavg } from 'node:os'
import { BENCH_GATEWAY_OVERRIDES, startBenchGateway } from '../bench-servers.js'
import { OwnedProcesses } from '../children.js'
import { benchKafka, benchLogger } from '../kafka.js'
import { createOutput, type Output } from '../output.js'
import { fmtInt, verdictTable } from '../report.js'
import { writeResults } from '../results.js'
import { parseCheckoutArgs, type CheckoutOptions } from './args.js'
import { listenForFinalStates, type FinalStateListener } from './final-states.js'
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js'
import { labCheckout, orderStatuses, requireReady } from './lab.js'
import { peakInWindow, settle, type Settlement } from './match.js'
import { paced, placeOrders, type OrderLoadResult, type OrderLoadSpec } from './orders-load.js'
import { orderBody, spreadProductIds } from './plan.js'
import { checkoutVerdicts, cpuLine, loadLines, settlementLines, summaryTable } from './report.js'
import { BENCH_PRICE_CENTS, prepareStock, restoreStock, type Stock } from './stock.js'

interface Phase { load: OrderLoadResult, settlement: Settlement, unsettledStatus: Record<string, number>, cpu: CpuUse }

interface Context {
  options: CheckoutOptions
  out: Output
  gatewayUrl: string
  ordersUrl: string
  /** The bench's own processes, for the CPU account. */
  own: Record<string, number>
  listener: FinalStateListener
  products: number[]
  /** Orders asked for so far: the next run goes on with the next customer and product. */
  sequence: number
  /** Aborted on Ctrl-C: the load stops before the stock is put back. */
  signal: AbortSignal
}

/** One load run, then the wait for its orders' final states, printed as it goes. */
async function phase (ctx: Context, spec: Omit<OrderLoadSpec, 'base' | 'bodyOf' | 'onTick'>): Promise<Phase> {
  const { out, options } = ctx
  const offset = ctx.sequence
  if (!out.isTerminal) out.line(`  running ${spec.title}`)
  const cpuBefore = cpuSnapshot(ctx.own)
  const load = await placeOrders({
    ...spec,
    signal: ctx.signal,
    base: ctx.gatewayUrl,
    bodyOf: (sequence) => orderBody(offset + sequence, ctx.products, options.paymentMethod),
    onTick: (elapsed, perSecond) => { out.progress(`  ${spec.title}: ${elapsed} s, ${fmtInt(perSecond)} answers/s`) }
  })
  const cpu = cpuUse(cpuBefore, cpuSnapshot(ctx.own), availableParallelism())
  ctx.sequence += load.sent
  for (const line of [...loadLines(load), cpuLine(cpu)]) out.line(`  ${line}`)
  await ctx.listener.waitFor(load.placed.keys(), options.settleSeconds * 1000, (settled, total) => {
    out.progress(`  waiting for final states: ${fmtInt(settled)}/${fmtInt(total)}`)
  })
  const settlement = settle(load.placed, ctx.listener.finals)
  for (const line of settlementLines(settlement)) out.line(line)
  let unsettledStatus: Record<string, number> = {}
  if (settlement.unsettled.length > 0) {
    unsettledStatus = await orderStatuses(ctx.ordersUrl, settlement.unsettled.slice(0, 500))
    out.line(`  no final event within ${options.settleSeconds} s of the last one; orders says of ${settlement.unsettled.length > 500 ? 'the first 500 of ' : ''}them: ` +
      Object.entries(unsettledStatus).map(([status, n]) => `${status} ×${n}`).join(', '))
  }
  return { load, settlement, unsettledStatus, cpu }
}

/** The JSON figures of a phase (the per-order maps left out). */
const phaseJson = ({ load, settlement, unsettledStatus, cpu }: Phase) => ({
  cpu,
  load: { ...load, placed: load.placed.size },
  settlement: { ...settlement, unsettled: settlement.unsettled.length, unsettledSample: settlement.unsettled.slice(0, 20) },
  unsettledStatus
})

export async function benchCheckout (argv: string[]): Promise<number> {
  const options = parseCheckoutArgs(argv)
  const out = createOutput()
  const started = new Date()
  const cores = availableParallelism()
  const load = loadavg()[0] ?? 0
  out.line(`lab bench checkout: throughput ${options.durationSeconds} s at ${options.connections} connections, latency ${options.rateDurationSeconds} s at ${options.rate} orders/s; ` +
    `paymentMethod ${options.paymentMethod}, ${options.hot ? 'one hot product (id 1)' : `${fmtInt(options.products)} products`}; Node ${process.versions.node}`)
  out.line(`note: ${cores} cores shared by the load generator (autocannon, in this process) and the whole lab; load average before: ${load.toFixed(2)}` +
    (load > cores / 4 ? ' (other work on this machine will skew the figures)' : ''))

  const lab = labCheckout()
  await requireReady({ inventory: lab.inventory, orders: lab.orders, payments: lab.payments, ...(options.paymentMethod === 'card' ? { provider: lab.provider } : {}) })
  if (options.products > lab.seededProducts) throw new Error(`--products ${options.products}: inventory seeds only ${lab.seededProducts}`)
  if (options.paymentMethod === 'card') {
    const faults = await (await fetch(`${lab.provider}/admin/faults`, { signal: AbortSignal.timeout(3000) })).text()
    out.line(`      the provider's fault knobs now: ${faults}`)
  }

  const owned = new OwnedProcesses()
  const abort = new AbortController()
  const cleanups: Array<() => Promise<unknown>> = [async () => { await owned.stopAll() }]
  const cleanUp = async () => { while (cleanups.length > 0) await cleanups.pop()?.().catch((err: unknown) => { out.line(`  cleanup failed: ${(err as Error).message}`) }) }
  const onSignal = (signal: NodeJS.Signals) => {
    out.line(`\nlab bench checkout: ${signal}: stopping the load, putting the stock back, stopping the bench's own processes`)
    abort.abort()
    cleanUp().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    out.line('\n1. setup')
    const gateway = await startBenchGateway(owned)
    out.line(`  bench gateway: gateway/src/server.ts on ${gateway.url}, env as the lab's gateway but ${Object.entries(BENCH_GATEWAY_OVERRIDES).map(([k, v]) => `${k}=${v}`).join(' ')}`)
    out.line(`    (the lab's limits, 100 requests and 50 orders per second per client, would throttle the bench). Log: ${gateway.log}`)
    const kafka = benchKafka('bench-checkout', benchLogger('bench-checkout-kafka'))
    const listener = await listenForFinalStates(kafka, lab.topics)
    cleanups.push(async () => { await listener.stop() })
    out.line(`  following ${lab.topics.confirmed} and ${lab.topics.cancelled} from their end, in a consumer group of the bench's own`)

    const products = options.hot ? [1] : spreadProductIds(options.products, lab.seededProducts)
    const minAvailable = options.hot ? 1_000_000 : 1000
    const before: Stock[] = await prepareStock(lab.inventory, products, minAvailable)
    cleanups.push(async () => {
      await restoreStock(lab.inventory, before)
      out.line(`  put back the price and available units of the ${fmtInt(before.length)} product${before.length === 1 ? '' : 's'} as they were before the run`)
    })
    out.line(`  ${fmtInt(products.length)} product${products.length === 1 ? '' : 's'} (${options.hot ? 'id 1' : `ids ${products[0]}, ${products[1] ?? ''} … ${products.at(-1)}`}) priced ${(BENCH_PRICE_CENTS / 100).toFixed(2)} ` +
      `with at least ${fmtInt(minAvailable)} units each for the run (PUT /stock/:id on inventory), put back at the end:`)
    out.line('    wallets hold 1,000.00 once and never refill; at the seeded prices (250 on average) a run would empty them.')

    const own = { 'bench gateway': gateway.process.pid, 'bench (autocannon, Kafka consumer)': process.pid }
    const ctx: Context = { options, out, gatewayUrl: gateway.url, ordersUrl: lab.orders, own, listener, products, sequence: 0, signal: abort.signal }
    out.line('\n2. warm-up: 200 orders at 4 connections (a fresh gateway process; not counted)')
    const warmUp = await phase(ctx, { title: 'warm-up', connections: 4, maxRequests: 200 })

    out.line(`\n3a. throughput: POST /orders through the bench gateway as fast as taken, ${options.durationSeconds} s at ${options.connections} connections`)
    const throughput = await phase(ctx, { title: 'throughput', connections: options.connections, durationSeconds: options.durationSeconds })

    const pacing = paced(options.rate)
    out.line(`\n3b. latency: ${options.rate} orders/s for ${options.rateDurationSeconds} s, POST → ${lab.topics.confirmed} seen. Paced: ${pacing.instances} autocannon instances ` +
      `of 1 connection, overallRate ${pacing.perInstance[0]}/s each, started ${pacing.offsetMs.toFixed(0)} ms apart`)
    out.line('    (one instance would send each connection\'s budget back to back at the start of every second: bursts)')
    const latency = await phase(ctx, { title: `${options.rate} orders/s`, connections: 1, durationSeconds: options.rateDurationSeconds, rate: options.rate })
    const burst = peakInWindow([...latency.load.placed.values()].map((o) => o.sentAt), 100)
    out.line(`  arrivals: at most ${burst} POSTs went out within any 100 ms (evenly, ${options.rate}/s is ${Math.ceil(options.rate / 10)})`)

    await cleanUp()
    out.line('\nresults (ms from the POST leaving the bench; "settled" = confirmed or cancelled seen on Kafka)')
    out.line(summaryTable([throughput, latency].map((p) => ({ load: p.load, settlement: p.settlement }))).replace(/^/gm, '  '))
    const verdicts = checkoutVerdicts(throughput.load, latency.settlement, options.rate)
    out.line('\ntargets (a measurement: the exit code does not depend on them)')
    out.line(verdictTable(verdicts).replace(/^/gm, '  '))
    const file = writeResults(started, {
      options,
      cores,
      loadAverageBefore: load,
      node: process.versions.node,
      benchGateway: { overrides: BENCH_GATEWAY_OVERRIDES },
      stock: { products: products.length, priceCents: BENCH_PRICE_CENTS, minAvailable, restored: true },
      warmUp: phaseJson(warmUp),
      throughput: phaseJson(throughput),
      latency: { ...phaseJson(latency), peakPostsIn100Ms: burst },
      verdicts
    }, 'checkout')
    out.line(`\nwritten to ${file}`)
    return throughput.load.placed.size > 0 && latency.load.placed.size > 0 ? 0 : 1
  } finally {
    await cleanUp()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
