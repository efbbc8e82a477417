import { describe, expect, it } from 'vitest'
import { ttlWithJitterMs } from '../../src/cache/ttl.js'

describe('ttlWithJitterMs', () => {
  it('stays within base ± jitter at both ends of the random range', () => {
    expect(ttlWithJitterMs(60, 0.2, () => 0)).toBe(48_000)
    expect(ttlWithJitterMs(60, 0.2, () => 0.999999)).toBeLessThanOrEqual(72_000)
    expect(ttlWithJitterMs(60, 0.2, () => 0.999999)).toBeGreaterThan(71_990)
    expect(ttlWithJitterMs(60, 0.2, () => 0.5)).toBe(60_000)
  })

  it('spreads keys written together over the whole window', () => {
    const ttls = Array.from({ length: 2000 }, () => ttlWithJitterMs(60, 0.2))
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(48_000)
    expect(Math.max(...ttls)).toBeLessThanOrEqual(72_000)
    // Uniform over 24 s: 2,000 draws land in (nearly) every one-second bucket, not in a few.
    expect(new Set(ttls.map((t) => Math.floor(t / 1000))).size).toBeGreaterThanOrEqual(23)
  })

  it('gives the exact TTL without jitter, and never less than 1 ms', () => {
    expect(ttlWithJitterMs(10, 0)).toBe(10_000)
    expect(ttlWithJitterMs(0.0001, 0.5, () => 0)).toBe(1)
  })
})
