import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { labHome } from '../infra/native/config.js'
import { shortPath } from '../infra/native/paths.js'
import type { MemorySummary } from './memory-peaks.js'
import type { Output } from './output.js'
import { fmtMiB, table } from './report.js'

/** The memory section: the lab's peak (what each component held at that moment), then the bench's own. */
export function printMemory (out: Output, memory: MemorySummary): void {
  const { peak } = memory
  if (peak === undefined) {
    out.line('  no memory sample was taken')
    return
  }
  out.line(`  native lab peak: ${fmtMiB(peak.rssBytes)} RSS (PSS ${fmtMiB(peak.pssBytes)}) during '${peak.phase}'; ` +
    `every lab process and its descendants, sampled every 250 ms (${memory.samples} samples)`)
  const rows = Object.entries(peak.byComponent).sort(([, a], [, b]) => b.rss - a.rss).map(([name, m]) => [`    ${name}`, fmtMiB(m.rss), fmtMiB(m.pss)])
  out.line(table([['    at the peak', 'RSS', 'PSS'], ...rows]))
  out.line('  RSS counts a shared page in every process that maps it (Postgres\' shared buffers in each backend);')
  out.line(`  PSS splits it between them. Highest PSS total seen: ${fmtMiB(memory.peakPssBytes)}`)
  out.line(`  lab peak RSS per phase: ${Object.entries(memory.peakRssByPhase).map(([phase, bytes]) => `${phase} ${fmtMiB(bytes)}`).join(', ')}`)
  out.line(`  the bench's own processes (not in the lab's total), peak RSS: ${Object.entries(memory.ownPeakRss).map(([name, bytes]) => `${name} ${fmtMiB(bytes)}`).join(', ')}`)
}

/** Writes the figures to .lab/bench/<name>-<time>.json; returns the path as the user should read it. */
export function writeResults (started: Date, results: Record<string, unknown>, name = 'foundation'): string {
  const dir = join(labHome(), 'bench')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name}-${started.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify({ startedAt: started.toISOString(), ...results }, null, 2)}\n`)
  return shortPath(file)
}
