import { describe, expect, it } from 'vitest'
import { decideSlidingWindow, type SlidingWindowState } from '../../src/rate-limit/sliding-window.js'

const W = 1000
const MAX = 10
/** A time `elapsed` ms into fixed window number 100. */
const at = (elapsed: number, window = 100) => window * W + elapsed

/** Runs requests at the given times, threading the state, and returns every decision. */
function run (times: number[], start?: SlidingWindowState, max = MAX) {
  let state = start
  return times.map((now) => {
    const result = decideSlidingWindow(state, now, max, W)
    state = result.state
    return result
  })
}

describe('sliding window (two-window weighted counter)', () => {
  it('allows max requests of a new client in one window, then rejects, counting remaining down', () => {
    const results = run(Array.from({ length: MAX + 2 }, (_, i) => at(10 + i)))
    expect(results.map((r) => r.decision.allowed)).toEqual([...Array(MAX).fill(true), false, false])
    expect(results.slice(0, MAX).map((r) => MAX - r.decision.current)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    expect(results[MAX]?.decision.current).toBe(MAX + 1)
  })

  it('counts only accepted requests', () => {
    const results = run(Array.from({ length: 50 }, () => at(10)))
    expect(results.at(-1)?.state.current).toBe(MAX)
  })

  it('weighs a full previous window by the share still inside the sliding window', () => {
    const full: SlidingWindowState = { window: 99, current: MAX, previous: 0 }
    // At the boundary the previous window weighs fully: nothing fits.
    expect(decideSlidingWindow(full, at(0), MAX, W).decision.allowed).toBe(false)
    // Half-way, it weighs half: 5 fit.
    const halfway = run(Array.from({ length: 7 }, () => at(500)), full)
    expect(halfway.map((r) => r.decision.allowed)).toEqual([true, true, true, true, true, false, false])
    // 90 % into the window, 10 % of it is left: 9 fit.
    const late = run(Array.from({ length: 10 }, () => at(900)), full)
    expect(late.filter((r) => r.decision.allowed)).toHaveLength(9)
  })

  it('does not let 2 × max through around a window boundary, unlike a fixed window', () => {
    const endOfWindow = Array.from({ length: MAX }, () => at(999, 99))
    const startOfNext = Array.from({ length: MAX }, () => at(1))
    const results = run([...endOfWindow, ...startOfNext])
    expect(results.filter((r) => r.decision.allowed)).toHaveLength(MAX)
  })

  it('forgets windows older than the previous one', () => {
    const stale: SlidingWindowState = { window: 98, current: MAX, previous: MAX }
    const { decision, state } = decideSlidingWindow(stale, at(0), MAX, W)
    expect(decision.allowed).toBe(true)
    expect(state).toEqual({ window: 100, current: 1, previous: 0 })
  })

  it('rolls the current count into the previous one when a new window starts', () => {
    const { state } = decideSlidingWindow({ window: 99, current: 4, previous: 7 }, at(250), MAX, W)
    expect(state).toEqual({ window: 100, current: 1, previous: 4 })
  })

  it('reports remaining from the weighted count, rounded down', () => {
    // previous 3 at 50 % weighs 1.5; with this request, 2.5 used → 7 whole requests remain.
    const { decision } = decideSlidingWindow({ window: 99, current: 3, previous: 0 }, at(500), MAX, W)
    expect(decision.current).toBe(3)
  })

  it('resets the whole quota once the requests of this window have slid out', () => {
    const { decision } = decideSlidingWindow(undefined, at(300), MAX, W)
    expect(decision.ttl).toBe(2 * W - 300)
  })

  it('tells a client rejected because of the previous window exactly when its share has decayed', () => {
    const full: SlidingWindowState = { window: 99, current: MAX, previous: 0 }
    const rejected = decideSlidingWindow(full, at(0), MAX, W)
    expect(rejected.decision).toEqual({ allowed: false, current: MAX + 1, ttl: 100 })
    expect(decideSlidingWindow(rejected.state, at(99), MAX, W).decision.allowed).toBe(false)
    expect(decideSlidingWindow(rejected.state, at(100), MAX, W).decision.allowed).toBe(true)
  })

  it('tells a client that filled this window to wait into the next one', () => {
    const filled: SlidingWindowState = { window: 100, current: MAX, previous: 0 }
    const rejected = decideSlidingWindow(filled, at(300), MAX, W)
    // 700 ms to the next window, then 100 ms until 10 × 0.9 + 1 fits.
    expect(rejected.decision.ttl).toBe(800)
    expect(decideSlidingWindow(filled, at(300) + 799, MAX, W).decision.allowed).toBe(false)
    expect(decideSlidingWindow(filled, at(300) + 800, MAX, W).decision.allowed).toBe(true)
  })

  it('with max 1, waits until the single request is out of both windows', () => {
    const { decision } = decideSlidingWindow({ window: 100, current: 1, previous: 0 }, at(300), 1, W)
    expect(decision.ttl).toBe(2 * W - 300)
  })

  it('keeps counting in the saved window when the server clock steps back', () => {
    const { decision, state } = decideSlidingWindow({ window: 101, current: MAX, previous: 0 }, at(900), MAX, W)
    expect(decision.allowed).toBe(false)
    expect(state.window).toBe(101)
  })

  it('always allows a rejected client exactly after its retry time, and not a millisecond before', () => {
    // Random histories: whatever the state, `ttl` is the earliest moment the next request is allowed.
    let seed = 42
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
    let checked = 0
    for (let i = 0; i < 2000; i++) {
      const max = 1 + Math.floor(random() * 50)
      const windowMs = 1 + Math.floor(random() * 5000)
      const state = { window: 1000, current: Math.floor(random() * (max + 1)), previous: Math.floor(random() * (max + 1)) }
      const now = 1000 * windowMs + Math.floor(random() * windowMs)
      const { decision } = decideSlidingWindow(state, now, max, windowMs)
      if (decision.allowed) continue
      checked++
      expect(decideSlidingWindow(state, now + decision.ttl, max, windowMs).decision.allowed).toBe(true)
      expect(decideSlidingWindow(state, now + decision.ttl - 1, max, windowMs).decision.allowed).toBe(false)
    }
    expect(checked).toBeGreaterThan(100)
  })
})
