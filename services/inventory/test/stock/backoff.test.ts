import { describe, expect, it } from 'vitest'
import { fullJitterDelayMs } from '../../src/stock/backoff.js'

describe('full-jitter backoff', () => {
  it('doubles its ceiling with each retry, up to the cap', () => {
    const ceiling = (retry: number) => fullJitterDelayMs(retry, 2, 100, () => 1)
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(ceiling)).toEqual([2, 4, 8, 16, 32, 64, 100, 100])
  })

  it('waits a uniformly random time between zero and the ceiling', () => {
    expect(fullJitterDelayMs(3, 2, 100, () => 0)).toBe(0)
    expect(fullJitterDelayMs(3, 2, 100, () => 0.25)).toBe(2)
    const samples = Array.from({ length: 2000 }, () => fullJitterDelayMs(4, 2, 100))
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...samples)).toBeLessThanOrEqual(16)
    // Spread over the whole window, not bunched at one end.
    expect(samples.filter((s) => s < 8).length).toBeGreaterThan(800)
    expect(samples.filter((s) => s >= 8).length).toBeGreaterThan(800)
  })
})
