import { describe, expect, it } from 'vitest'
import { backoffCeilingMs, backoffDelayMs, type BackoffPolicy } from '../src/backoff.js'

const ceiling = { baseMs: 100, maxMs: 1000 }
const retries = [1, 2, 3, 4, 5, 6]
const always = (value: number) => () => value

describe('backoffCeilingMs', () => {
  it('doubles the ceiling with each retry, up to the cap', () => {
    expect(retries.map((n) => backoffCeilingMs(n, ceiling))).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('grows without end when no cap is given, and starts at the base for retry 0 or 1', () => {
    expect([1, 5, 11].map((n) => backoffCeilingMs(n, { baseMs: 10 }))).toEqual([10, 160, 10_240])
    expect(backoffCeilingMs(0, ceiling)).toBe(100)
  })

  it('stays at the cap however long the failures last (no overflow)', () => {
    expect(backoffCeilingMs(5000, ceiling)).toBe(1000)
  })
})

describe('backoffDelayMs', () => {
  it('waits the ceiling itself without jitter, whatever the random source says', () => {
    const none: BackoffPolicy = { ...ceiling, jitter: 'none' }
    expect(retries.map((n) => backoffDelayMs(n, none, always(0.3)))).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('draws a full-jitter wait from [0, ceiling]: the injected random decides it exactly', () => {
    const full: BackoffPolicy = { baseMs: 2, maxMs: 100, jitter: 'full' }
    expect(backoffDelayMs(3, full, always(0))).toBe(0)
    expect(backoffDelayMs(3, full, always(0.25))).toBe(2)
    expect(backoffDelayMs(3, full, always(0.3))).toBeCloseTo(2.4) // not rounded unless asked
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, full, always(1)))).toEqual([2, 4, 8, 16, 32, 64, 100, 100])
  })

  it('keeps full-jitter waits within [0, ceiling], spread over the whole window', () => {
    const samples = Array.from({ length: 2000 }, () => backoffDelayMs(4, { baseMs: 2, maxMs: 100, jitter: 'full' }))
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...samples)).toBeLessThanOrEqual(16)
    expect(samples.filter((s) => s < 8).length).toBeGreaterThan(800)
    expect(samples.filter((s) => s >= 8).length).toBeGreaterThan(800)
  })

  it('draws an equal-jitter wait between half the ceiling and the ceiling, never zero', () => {
    const equal: BackoffPolicy = { ...ceiling, jitter: 'equal', round: true }
    expect(backoffDelayMs(3, equal, always(0))).toBe(200)
    expect(backoffDelayMs(3, equal, always(0.5))).toBe(300)
    expect(retries.map((n) => backoffDelayMs(n, equal, always(1)))).toEqual([100, 200, 400, 800, 1000, 1000])
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelayMs(3, equal)
      expect(delay).toBeGreaterThanOrEqual(200)
      expect(delay).toBeLessThanOrEqual(400)
    }
  })

  it('spreads the retries of callers that failed together, with either jitter', () => {
    for (const jitter of ['full', 'equal'] as const) {
      const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, { ...ceiling, jitter, round: true })))
      expect(delays.size).toBeGreaterThan(10)
    }
  })

  it('rounds to a whole millisecond when asked', () => {
    const full: BackoffPolicy = { ...ceiling, jitter: 'full', round: true }
    expect(backoffDelayMs(3, full, always(0.123456))).toBe(49)
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, full, always(0.999999)))).toEqual([100, 200, 400, 800, 1000])
  })
})
