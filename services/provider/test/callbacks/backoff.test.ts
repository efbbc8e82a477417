import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../../src/callbacks/backoff.js'

const settings = { baseDelayMs: 100, maxDelayMs: 1000 }

describe('backoffDelayMs', () => {
  it('doubles the ceiling with each retry, up to the maximum', () => {
    const highest = (retry: number) => backoffDelayMs(retry, settings, () => 1)
    expect([1, 2, 3, 4, 5, 6].map(highest)).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('draws each wait between half the ceiling and the ceiling (equal jitter), never zero', () => {
    expect(backoffDelayMs(3, settings, () => 0)).toBe(200)
    expect(backoffDelayMs(3, settings, () => 0.5)).toBe(300)
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelayMs(3, settings)
      expect(delay).toBeGreaterThanOrEqual(200)
      expect(delay).toBeLessThanOrEqual(400)
    }
  })

  it('spreads the retries of callbacks that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, settings)))
    expect(delays.size).toBeGreaterThan(10)
  })
})
