import type { LoadResult } from './load.js'
import { ratio } from './stats.js'

export const TARGETS = {
  upSeconds: 60,
  hitSpeedup: 5,
  gatewayAddedMs: 1,
  labPeakBytes: 2.5 * 1024 ** 3
} as const

export interface Verdict { target: string, measured: string, pass: boolean }

export const fmtInt = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-'
export const fmtMs = (ms: number): string => Number.isFinite(ms) ? ms.toFixed(2) : '-'
export const fmtMiB = (bytes: number): string => `${fmtInt(bytes / 1024 ** 2)} MiB`
export const fmtGiB = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`
export const fmtPercent = (part: number, whole: number): string => whole > 0 ? `${(100 * part / whole).toFixed(1)}%` : '-'

/** Rows as aligned columns; numbers (cells starting with a digit or '-') are right-aligned. */
export function table (rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  const numeric = (cell: string) => /^[\d-]/.test(cell)
  return rows.map((row, r) => row.map((cell, i) => {
    const width = widths[i] ?? 0
    return r > 0 && i > 0 && numeric(cell) ? cell.padStart(width) : cell.padEnd(width)
  }).join('  ').trimEnd()).join('\n')
}

/** The x-cache column: the share of the expected source among all answers. */
export function cacheCell (result: LoadResult, expected: 'hit' | 'miss'): string {
  if (result.cache === undefined) return ''
  const { hit, miss, bypass, other } = result.cache
  return `${fmtPercent(result.cache[expected], hit + miss + bypass + other)} ${expected}`
}

export function scenarioTable (rows: Array<{ result: LoadResult, expected?: 'hit' | 'miss' }>, ceiling: LoadResult): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'vs ceiling', 'errors', 'non-2xx', 'x-cache']
  return table([header, ...rows.map(({ result, expected }) => [
    result.title,
    fmtInt(result.requestsPerSecond),
    fmtMs(result.p50Ms),
    fmtMs(result.p99Ms),
    // A share of the ceiling only means something at the ceiling's concurrency.
    result.connections === ceiling.connections ? `${(100 * ratio(result.requestsPerSecond, ceiling.requestsPerSecond)).toFixed(1)}%` : '',
    fmtInt(result.errors),
    fmtInt(result.non2xx),
    expected === undefined ? '' : cacheCell(result, expected)
  ])])
}

export interface VerdictInputs {
  upSeconds: number
  directMiss: LoadResult
  directHit: LoadResult
  gatewayHit: LoadResult
  /** The hit runs again at one connection: the gateway's own cost, without queueing on two busy cores. */
  single?: { directHit: LoadResult, gatewayHit: LoadResult }
  labPeak?: { rssBytes: number, pssBytes: number }
}

function addedLatency (target: string, gatewayHit: LoadResult, directHit: LoadResult): Verdict {
  const added = gatewayHit.p50Ms - directHit.p50Ms
  return { target, measured: `${fmtMs(gatewayHit.p50Ms)} - ${fmtMs(directHit.p50Ms)} = ${fmtMs(added)} ms`, pass: added < TARGETS.gatewayAddedMs }
}

function peakMemory (target: string, bytes: number | undefined): Verdict {
  return {
    target,
    measured: bytes === undefined ? 'no sample' : `${fmtGiB(bytes)} (${fmtMiB(bytes)})`,
    pass: bytes !== undefined && bytes < TARGETS.labPeakBytes
  }
}

export function verdicts ({ upSeconds, directMiss, directHit, gatewayHit, single, labPeak }: VerdictInputs): Verdict[] {
  const speedup = ratio(directMiss.p50Ms, directHit.p50Ms)
  const limit = `< ${fmtGiB(TARGETS.labPeakBytes)}`
  return [
    { target: `./lab up -d to all healthy < ${TARGETS.upSeconds} s`, measured: `${upSeconds.toFixed(1)} s`, pass: upSeconds < TARGETS.upSeconds },
    {
      target: `hit p50 at least ${TARGETS.hitSpeedup}x faster than miss p50 (direct)`,
      measured: `${fmtMs(directMiss.p50Ms)} / ${fmtMs(directHit.p50Ms)} ms = ${Number.isFinite(speedup) ? speedup.toFixed(1) : '-'}x`,
      pass: speedup >= TARGETS.hitSpeedup
    },
    addedLatency(`gateway added latency at p50 on a hit < ${TARGETS.gatewayAddedMs} ms`, gatewayHit, directHit),
    ...(single === undefined ? [] : [addedLatency(`  the same at 1 connection (no queueing) < ${TARGETS.gatewayAddedMs} ms`, single.gatewayHit, single.directHit)]),
    peakMemory(`peak memory of the native lab, RSS summed ${limit}`, labPeak?.rssBytes),
    peakMemory(`  the same as PSS (shared pages counted once) ${limit}`, labPeak?.pssBytes)
  ]
}

export function verdictTable (list: Verdict[]): string {
  return table([['target', 'measured', 'verdict'], ...list.map((v) => [v.target, v.measured, v.pass ? 'PASS' : 'FAIL'])])
}
