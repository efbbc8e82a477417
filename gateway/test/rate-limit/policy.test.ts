import { describe, expect, it } from 'vitest'
import { assertValidPolicy } from '../../src/rate-limit/policy.js'

describe('rate-limit policy', () => {
  it('accepts each algorithm with a positive integer max and window', () => {
    for (const algorithm of ['fixed-window', 'sliding-window', 'token-bucket'] as const) {
      expect(() => { assertValidPolicy({ algorithm, max: 20, windowMs: 1000 }, 'test') }).not.toThrow()
    }
  })

  it('rejects an unknown algorithm, a max below 1, a fractional window and a window too large to compute exactly', () => {
    // @ts-expect-error a typo in a hand-written policy
    expect(() => { assertValidPolicy({ algorithm: 'leaky-bucket', max: 1, windowMs: 1 }, 'route GET /x') }).toThrow(/route GET \/x: unknown rate-limit algorithm "leaky-bucket"/)
    expect(() => { assertValidPolicy({ algorithm: 'token-bucket', max: 0, windowMs: 1000 }, 'p') }).toThrow(/max must be an integer >= 1/)
    expect(() => { assertValidPolicy({ algorithm: 'token-bucket', max: 1, windowMs: 0.5 }, 'p') }).toThrow(/windowMs must be an integer >= 1/)
    expect(() => { assertValidPolicy({ algorithm: 'sliding-window', max: 1e9, windowMs: 1e9 }, 'p') }).toThrow(/below 2\^48/)
  })
})
