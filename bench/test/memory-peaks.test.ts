import { describe, expect, it } from 'vitest'
import { createPeakTracker } from '../memory-peaks.js'

const MiB = 1024 ** 2
const m = (rss: number, pss = rss) => ({ rss: rss * MiB, pss: pss * MiB })

describe('createPeakTracker', () => {
  it('keeps the sample with the largest lab RSS total, its breakdown and phase, and the peak per phase', () => {
    const peaks = createPeakTracker()
    peaks.add({ atMs: 1, phase: 'lab up', lab: { kafka: m(300), postgres: m(100, 40) }, own: { 'bench process': m(200) } })
    peaks.add({ atMs: 2, phase: 'miss', lab: { kafka: m(340), postgres: m(160, 60) }, own: { 'bench process': m(150), 'bench gateway': m(120) } })
    peaks.add({ atMs: 3, phase: 'hit', lab: { kafka: m(340), postgres: m(120, 70) }, own: { 'bench process': m(180) } })
    const summary = peaks.summary()
    expect(summary.samples).toBe(3)
    expect(summary.peak).toEqual({ rssBytes: 500 * MiB, pssBytes: 400 * MiB, phase: 'miss', atMs: 2, byComponent: { kafka: m(340), postgres: m(160, 60) } })
    expect(summary.peakPssBytes).toBe(410 * MiB)
    expect(summary.peakRssByPhase).toEqual({ 'lab up': 400 * MiB, miss: 500 * MiB, hit: 460 * MiB })
    expect(summary.ownPeakRss).toEqual({ 'bench process': 200 * MiB, 'bench gateway': 120 * MiB })
  })

  it('reports no peak before any sample', () => {
    expect(createPeakTracker().summary().peak).toBeUndefined()
  })
})
