import { describe, expect, it } from 'vitest'
import { peakInWindow, settle, summarize, type FinalState, type PlacedOrder } from '../checkout/match.js'

const placed = (entries: Array<[string, number]>) => new Map<string, PlacedOrder>(entries.map(([id, sentAt]) => [id, { sentAt, answeredAt: sentAt + 5 }]))
const finals = (entries: Array<[string, FinalState]>) => new Map<string, FinalState>(entries)

describe('settle', () => {
  it('matches each placed order with its own final state, by order id, whatever the order they arrived in', () => {
    const s = settle(
      placed([['a', 1000], ['b', 1010], ['c', 1020]]),
      finals([['c', { status: 'confirmed', at: 1320 }], ['a', { status: 'confirmed', at: 1100 }], ['b', { status: 'confirmed', at: 1210 }]])
    )
    expect(s).toMatchObject({ placed: 3, confirmed: 3, cancelled: 0, unsettled: [] })
    // 100, 200 and 300 ms from each POST to its own confirmation.
    expect(s.toConfirmed).toEqual({ count: 3, p50Ms: 200, p99Ms: 300, maxMs: 300 })
  })

  it('counts cancellations apart, with their reasons, and leaves them out of POST → confirmed', () => {
    const s = settle(
      placed([['a', 0], ['b', 0], ['c', 0]]),
      finals([
        ['a', { status: 'confirmed', at: 50 }],
        ['b', { status: 'cancelled', at: 900, reason: 'payment failed: insufficient funds' }],
        ['c', { status: 'cancelled', at: 950, reason: 'payment failed: insufficient funds' }]
      ])
    )
    expect(s).toMatchObject({ confirmed: 1, cancelled: 2, cancelReasons: { 'payment failed: insufficient funds': 2 } })
    expect(s.toConfirmed.maxMs).toBe(50)
    expect(s.toFinal.maxMs).toBe(950)
  })

  it('lists the orders that never settled and ignores final states of orders it did not place', () => {
    const s = settle(placed([['a', 0], ['b', 0]]), finals([['a', { status: 'confirmed', at: 10 }], ['zzz', { status: 'confirmed', at: 5 }]]))
    expect(s.unsettled).toEqual(['b'])
    expect(s.confirmed).toBe(1)
    expect(s.lastFinalAt).toBe(10)
  })

  it('gives orders settled per second from the first POST to the last final state', () => {
    // 4 orders sent from t = 1000 ms, the last settled at t = 3000 ms: 4 in 2 s.
    const s = settle(
      placed([['a', 1000], ['b', 1500], ['c', 2000], ['d', 2500]]),
      finals([['a', { status: 'confirmed', at: 1200 }], ['b', { status: 'cancelled', at: 1700 }], ['c', { status: 'confirmed', at: 2900 }], ['d', { status: 'confirmed', at: 3000 }]])
    )
    expect(s.settledPerSecond).toBe(2)
  })

  it('answers NaN figures when nothing was placed', () => {
    const s = settle(new Map(), new Map())
    expect(s.placed).toBe(0)
    expect(s.settledPerSecond).toBeNaN()
    expect(s.toConfirmed.p99Ms).toBeNaN()
  })
})

describe('summarize', () => {
  it('gives nearest-rank percentiles and the maximum of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(summarize(values)).toEqual({ count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 })
  })
})

describe('peakInWindow', () => {
  it('finds the most events within any window, evenly paced or in bursts', () => {
    const even = Array.from({ length: 50 }, (_, i) => i * 20)
    expect(peakInWindow(even, 100)).toBe(5)
    const bursts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, 1001]
    expect(peakInWindow(bursts, 100)).toBe(10)
    expect(peakInWindow([], 100)).toBe(0)
  })
})
