import { describe, expect, it } from 'vitest'
import { createRetryBudget } from '../src/retry-budget.js'

/** A budget on a clock the test moves by hand. */
function budgetAt (opts: { ratio: number, minRetriesPerSecond: number, windowMs: number }) {
  let nowMs = 1_000
  const budget = createRetryBudget({ ...opts, now: () => nowMs })
  return { budget, advance: (ms: number) => { nowMs += ms } }
}

const grantedOf = (tryRetry: () => boolean, asked: number) => Array.from({ length: asked }, tryRetry).filter(Boolean).length

describe('retry budget', () => {
  it('allows retries up to the ratio of the requests in the window, then refuses them', () => {
    const { budget } = budgetAt({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000 })
    for (let i = 0; i < 100; i++) budget.recordRequest()
    expect(grantedOf(budget.tryRetry, 50)).toBe(10)
    expect(budget.usage()).toEqual({ requests: 100, retries: 10, allowed: 10 })
  })

  it('allows the minimum per second over the window with no requests at all, and adds it to the ratio', () => {
    const { budget } = budgetAt({ ratio: 0.5, minRetriesPerSecond: 0.3, windowMs: 10_000 })
    expect(grantedOf(budget.tryRetry, 10)).toBe(3)
    for (let i = 0; i < 4; i++) budget.recordRequest()
    // 0.5 × 4 + 3 = 5 allowed, 3 spent: two more.
    expect(grantedOf(budget.tryRetry, 10)).toBe(2)
  })

  it('forgets requests and retries once they leave the sliding window', () => {
    const { budget, advance } = budgetAt({ ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 })
    for (let i = 0; i < 10; i++) budget.recordRequest()
    expect(grantedOf(budget.tryRetry, 5)).toBe(2)
    advance(6_000)
    for (let i = 0; i < 10; i++) budget.recordRequest()
    // 20 requests in the window: 4 allowed, 2 spent.
    expect(grantedOf(budget.tryRetry, 5)).toBe(2)
    advance(4_000)
    // The first 10 requests and first 2 retries are 10 s old: out. 10 requests, 2 retries left in.
    expect(budget.usage()).toEqual({ requests: 10, retries: 2, allowed: 2 })
    expect(budget.tryRetry()).toBe(false)
    advance(6_000)
    expect(budget.usage()).toEqual({ requests: 0, retries: 0, allowed: 0 })
    expect(budget.tryRetry()).toBe(false)
  })

  it('refuses a negative ratio or an empty window', () => {
    expect(() => createRetryBudget({ ratio: -1, minRetriesPerSecond: 0, windowMs: 1000 })).toThrow(/ratio/)
    expect(() => createRetryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 0 })).toThrow(/window/)
  })
})
