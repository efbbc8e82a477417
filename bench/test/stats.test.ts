import { describe, expect, it } from 'vitest'
import { LatencyRecorder, percentile, ratio } from '../stats.js'

describe('percentile', () => {
  const values = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

  it('gives the nearest-rank value: the smallest with at least p% at or below it', () => {
    expect(percentile(values, 50)).toBe(5)
    expect(percentile(values, 99)).toBe(10)
    expect(percentile(values, 10)).toBe(1)
    expect(percentile(values, 11)).toBe(2)
    expect(percentile(values, 100)).toBe(10)
  })

  it('keeps fractions of a millisecond', () => {
    expect(percentile(Float64Array.from([0.113, 0.254, 0.31]), 50)).toBe(0.254)
  })

  it('answers NaN for no values, the minimum for p 0, and the only value for one', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNaN()
    expect(percentile(values, 0)).toBe(1)
    expect(percentile([0.7], 99)).toBe(0.7)
  })
})

describe('LatencyRecorder', () => {
  it('keeps every value past its initial capacity and sorts them numerically', () => {
    const recorder = new LatencyRecorder()
    const n = 200_000
    for (let i = n; i > 0; i--) recorder.record(i / 1000)
    expect(recorder.count).toBe(n)
    const sorted = recorder.sorted()
    expect(sorted[0]).toBe(0.001)
    expect(sorted[n - 1]).toBe(200)
    expect(percentile(sorted, 50)).toBe(100)
  })
})

describe('ratio', () => {
  it('divides, and answers NaN when there is nothing to compare with', () => {
    expect(ratio(5, 2)).toBe(2.5)
    expect(ratio(5, 0)).toBeNaN()
    expect(ratio(Number.NaN, 2)).toBeNaN()
  })
})
