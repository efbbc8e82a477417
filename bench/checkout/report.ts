import { fmtInt, fmtMs, fmtPercent, table, type Verdict } from '../report.js'
import type { CpuUse } from './cpu.js'
import type { Settlement } from './match.js'
import type { OrderLoadResult } from './orders-load.js'

export const CHECKOUT_TARGETS = { placedPerSecond: 200, confirmP99Ms: 500 } as const

const byCount = (counts: Record<string, number>) => Object.entries(counts).sort(([, a], [, b]) => b - a)

/** `409 ORDERS_OUT_OF_STOCK 12, 503 30` — the answers other than 201, most frequent first. */
export function non201 (load: OrderLoadResult): string {
  const others = byCount(load.byStatus).filter(([label]) => label !== '201')
  return others.length === 0 ? 'none' : others.map(([label, n]) => `${label} ×${fmtInt(n)}`).join(', ')
}

/** The load run in lines: what was sent, what was placed, how the POSTs were answered. */
export function loadLines (load: OrderLoadResult): string[] {
  return [
    `${load.title}: ${fmtInt(load.placed.size)} orders placed (201) in ${load.durationSeconds.toFixed(1)} s = ${fmtInt(load.placedPerSecond)} orders/s; ` +
      `${fmtInt(load.sent)} POSTs sent, ${fmtInt(load.answered)} answered, ${fmtInt(load.errors)} connection errors/timeouts`,
    `  POST /orders → 201: p50 ${fmtMs(load.post.p50Ms)} ms, p99 ${fmtMs(load.post.p99Ms)} ms, max ${fmtMs(load.post.maxMs)} ms; non-201 answers: ${non201(load)}`
  ]
}

/** What became of the placed orders. */
export function settlementLines (s: Settlement): string[] {
  const reasons = byCount(s.cancelReasons).map(([reason, n]) => `${reason} ×${fmtInt(n)}`).join('; ')
  const elapsed = (s.lastFinalAt - s.firstSentAt) / 1000
  return [
    `  final states: ${fmtInt(s.confirmed)} confirmed (${fmtPercent(s.confirmed, s.placed)}), ${fmtInt(s.cancelled)} cancelled, ` +
      `${fmtInt(s.unsettled.length)} without a final state` + (reasons === '' ? '' : `; cancelled because: ${reasons}`),
    `  first POST → last final state: ${Number.isFinite(elapsed) ? elapsed.toFixed(2) : '-'} s = ${fmtInt(s.settledPerSecond)} orders/s settled` +
      (s.unsettled.length > 0 ? ` (the ${fmtInt(s.placed - s.unsettled.length)} that settled)` : ''),
    `  POST → confirmed: p50 ${fmtMs(s.toConfirmed.p50Ms)} ms, p99 ${fmtMs(s.toConfirmed.p99Ms)} ms, max ${fmtMs(s.toConfirmed.maxMs)} ms (${fmtInt(s.toConfirmed.count)} orders)`
  ]
}

export function checkoutVerdicts (throughput: OrderLoadResult, latency: Settlement, rate: number): Verdict[] {
  const never = latency.placed - latency.confirmed
  return [
    {
      target: `orders placed through the gateway >= ${CHECKOUT_TARGETS.placedPerSecond}/s`,
      measured: `${fmtInt(throughput.placedPerSecond)}/s`,
      pass: throughput.placedPerSecond >= CHECKOUT_TARGETS.placedPerSecond
    },
    {
      target: `p99 POST → confirmed < ${CHECKOUT_TARGETS.confirmP99Ms} ms at ${rate} orders/s`,
      measured: `${fmtMs(latency.toConfirmed.p99Ms)} ms` + (never > 0 ? ` (${fmtInt(never)} of ${fmtInt(latency.placed)} never confirmed)` : ''),
      // An order that never confirmed is slower than any target.
      pass: latency.placed > 0 && never === 0 && latency.toConfirmed.p99Ms < CHECKOUT_TARGETS.confirmP99Ms
    }
  ]
}

export function summaryTable (rows: Array<{ load: OrderLoadResult, settlement: Settlement }>): string {
  return table([
    ['run', 'placed/s', 'POST p50', 'POST p99', 'settled/s', 'confirmed', '→confirmed p50', 'p99', 'max', 'unsettled'],
    ...rows.map(({ load, settlement: s }) => [
      load.title,
      fmtInt(load.placedPerSecond),
      fmtMs(load.post.p50Ms),
      fmtMs(load.post.p99Ms),
      fmtInt(s.settledPerSecond),
      fmtPercent(s.confirmed, s.placed),
      fmtMs(s.toConfirmed.p50Ms),
      fmtMs(s.toConfirmed.p99Ms),
      fmtMs(s.toConfirmed.maxMs),
      fmtInt(s.unsettled.length)
    ])
  ])
}

/** Where the CPU went while the POSTs ran: the machine's busy cores, then each component's share. */
export function cpuLine (cpu: CpuUse): string {
  const accounted = cpu.byName.reduce((sum, [, cores]) => sum + cores, 0)
  const others = cpu.machineBusyCores - accounted
  // Postgres is split by database (cpu.ts): the lab's parts summed first, test databases kept apart.
  const isLabPostgres = (name: string) => name.startsWith('postgres (') && name !== 'postgres (other databases)'
  const postgres = cpu.byName.filter(([name]) => isLabPostgres(name))
  const labPostgres = postgres.reduce((sum, [, cores]) => sum + cores, 0)
  const rest = cpu.byName.filter(([name]) => !isLabPostgres(name))
  const parts = [...(postgres.length === 0 ? [] : [[`postgres (${postgres.map(([n, c]) => `${n.slice(10, -1)} ${c.toFixed(2)}`).join(', ')})`, labPostgres] as [string, number]]), ...rest]
    .sort(([, a], [, b]) => b - a)
    .map(([name, cores]) => name.startsWith('postgres (') && name !== 'postgres (other databases)' ? `postgres ${cores.toFixed(2)} ${name.slice(9)}` : `${name} ${cores.toFixed(2)}`)
  return `  CPU while it ran (${cpu.seconds.toFixed(1)} s): ${cpu.machineBusyCores.toFixed(2)} of ${cpu.cores} cores busy; in cores: ${parts.join(', ')}` +
    (others >= 0.005 ? `, other processes on the machine ${others.toFixed(2)}` : '')
}
