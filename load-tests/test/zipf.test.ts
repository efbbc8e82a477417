import { describe, expect, it } from 'vitest'
import { createZipfSampler, seededRandom, zipfCdf } from '../lib/zipf.js'

function counts (n: number, s: number, draws: number, seed = 42): number[] {
  const sample = createZipfSampler(n, s, seededRandom(seed))
  const counted = new Array<number>(n + 1).fill(0)
  for (let i = 0; i < draws; i++) counted[sample()]!++
  return counted
}

describe('Zipf sampler', () => {
  it('draws id k with probability proportional to 1/k^s, so the first ids are hot', () => {
    const n = 1000
    const draws = 200_000
    const counted = counts(n, 1, draws)
    const harmonic = Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0)
    // The ten hottest ids against their expected counts: Pearson's chi-square with 10 degrees of freedom
    // stays under 29.6 but for one run in a thousand (a sampler off by a few percent lands far above).
    let chiSquare = 0
    for (let k = 1; k <= 10; k++) {
      const expected = draws / k / harmonic
      chiSquare += (counted[k]! - expected) ** 2 / expected
      expect(Math.abs(counted[k]! - expected) / expected, `id ${k}`).toBeLessThan(0.06)
    }
    expect(chiSquare).toBeLessThan(29.6)
    // Skewed: the top 1% of the ids take about 39% of the draws (H(10)/H(1000)), the bottom half under 10%.
    const top = counted.slice(1, 11).reduce((a, b) => a + b, 0) / draws
    const bottomHalf = counted.slice(501).reduce((a, b) => a + b, 0) / draws
    expect(top).toBeGreaterThan(0.37)
    expect(top).toBeLessThan(0.41)
    expect(bottomHalf).toBeLessThan(0.1)
  })

  it('is uniform with exponent 0, and never leaves 1..n', () => {
    const counted = counts(10, 0, 50_000)
    expect(counted[0]).toBe(0)
    for (let k = 1; k <= 10; k++) expect(Math.abs(counted[k]! - 5000), `id ${k}`).toBeLessThan(300)
    const sample = createZipfSampler(10_000, 1.1, seededRandom(7))
    for (let i = 0; i < 10_000; i++) {
      const id = sample()
      expect(Number.isInteger(id) && id >= 1 && id <= 10_000).toBe(true)
    }
  })

  it('builds a cumulative distribution that ends at 1, and refuses a bad size or exponent', () => {
    const cdf = zipfCdf(10_000, 1.1)
    expect(cdf[cdf.length - 1]).toBeCloseTo(1, 12)
    expect(cdf[0]).toBeGreaterThan(0.09)
    expect(() => zipfCdf(0, 1)).toThrow(/n must be an integer >= 1/)
    expect(() => zipfCdf(10, -1)).toThrow(/exponent must be >= 0/)
  })

  it('gives the same draws for the same seed (a reproducible run)', () => {
    const a = createZipfSampler(100, 1, seededRandom(3))
    const b = createZipfSampler(100, 1, seededRandom(3))
    expect(Array.from({ length: 20 }, a)).toEqual(Array.from({ length: 20 }, b))
  })
})
