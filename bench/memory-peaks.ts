import type { Memory } from './proc.js'

/** One reading, per lab component and per bench-owned process group (each a process and its descendants). */
export interface MemorySample {
  atMs: number
  /** What the bench was doing: 'lab up', a scenario's title, ... */
  phase: string
  lab: Record<string, Memory>
  own: Record<string, Memory>
}

export interface MemorySummary {
  samples: number
  /** The sample with the largest lab RSS total, with each component's share at that moment (bytes). */
  peak: { rssBytes: number, pssBytes: number, phase: string, atMs: number, byComponent: Record<string, Memory> } | undefined
  /** Largest lab PSS total seen (not necessarily at the RSS peak). */
  peakPssBytes: number
  /** Largest lab RSS total seen in each phase. */
  peakRssByPhase: Record<string, number>
  /** Largest RSS of each of the bench's own process groups (never counted in the lab). */
  ownPeakRss: Record<string, number>
}

export type SamplerMessage =
  | { type: 'phase', phase: string }
  | { type: 'own', name: string, pid: number }
  | { type: 'stop' }

export function totalOf (groups: Record<string, Memory>): Memory {
  const total: Memory = { rss: 0, pss: 0 }
  for (const m of Object.values(groups)) {
    total.rss += m.rss
    total.pss += m.pss
  }
  return total
}

/** Keeps the peaks of a stream of samples (not the samples: a long run takes thousands). */
export function createPeakTracker () {
  let samples = 0
  let peak: MemorySummary['peak']
  let peakPssBytes = 0
  const peakRssByPhase: Record<string, number> = {}
  const ownPeakRss: Record<string, number> = {}
  return {
    add (sample: MemorySample): void {
      samples++
      const total = totalOf(sample.lab)
      if (peak === undefined || total.rss > peak.rssBytes) {
        peak = { rssBytes: total.rss, pssBytes: total.pss, phase: sample.phase, atMs: sample.atMs, byComponent: structuredClone(sample.lab) }
      }
      peakPssBytes = Math.max(peakPssBytes, total.pss)
      peakRssByPhase[sample.phase] = Math.max(peakRssByPhase[sample.phase] ?? 0, total.rss)
      for (const [name, m] of Object.entries(sample.own)) ownPeakRss[name] = Math.max(ownPeakRss[name] ?? 0, m.rss)
    },
    summary (): MemorySummary {
      return { samples, peak, peakPssBytes, peakRssByPhase: { ...peakRssByPhase }, ownPeakRss: { ...ownPeakRss } }
    }
  }
}
