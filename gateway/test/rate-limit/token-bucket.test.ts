import { describe, expect, it } from 'vitest'
import { decideTokenBucket, type TokenBucketState } from '../../src/rate-limit/token-bucket.js'

const CAPACITY = 5
/** 5 tokens per second: one token every 200 ms. */
const W = 1000
const T0 = 1_700_000_000_000

function run (times: number[], start?: TokenBucketState) {
  let state = start
  return times.map((now) => {
    const result = decideTokenBucket(state, now, CAPACITY, W)
    state = result.state
    return result
  })
}

describe('token bucket', () => {
  it('lets a new client burst up to the capacity, then rejects', () => {
    const results = run(Array.from({ length: CAPACITY + 2 }, () => T0))
    expect(results.map((r) => r.decision.allowed)).toEqual([true, true, true, true, true, false, false])
    expect(results.slice(0, CAPACITY).map((r) => CAPACITY - r.decision.current)).toEqual([4, 3, 2, 1, 0])
  })

  it('refills max tokens per window, continuously', () => {
    const empty: TokenBucketState = { level: 0, updatedAt: T0 }
    // 199 ms: not a whole token yet; 200 ms: one.
    expect(decideTokenBucket(empty, T0 + 199, CAPACITY, W).decision.allowed).toBe(false)
    expect(decideTokenBucket(empty, T0 + 200, CAPACITY, W).decision.allowed).toBe(true)
    // 600 ms: three requests pass, the fourth does not.
    const results = run([T0 + 600, T0 + 600, T0 + 600, T0 + 600], empty)
    expect(results.map((r) => r.decision.allowed)).toEqual([true, true, true, false])
  })

  it('keeps the fraction of a token between requests', () => {
    // 100 ms → half a token (rejected), another 100 ms → a whole one.
    const results = run([T0 + 100, T0 + 200], { level: 0, updatedAt: T0 })
    expect(results.map((r) => r.decision.allowed)).toEqual([false, true])
  })

  it('never holds more than the capacity, however long the client was idle', () => {
    const results = run(Array.from({ length: CAPACITY + 1 }, () => T0 + 3_600_000), { level: 0, updatedAt: T0 })
    expect(results.filter((r) => r.decision.allowed)).toHaveLength(CAPACITY)
  })

  it('sustains exactly the refill rate under steady pressure', () => {
    // A request every 50 ms for 10 s, starting empty: 10 s × 5 tokens/s pass.
    const times = Array.from({ length: 200 }, (_, i) => T0 + 50 * (i + 1))
    const results = run(times, { level: 0, updatedAt: T0 })
    expect(results.filter((r) => r.decision.allowed)).toHaveLength(50)
  })

  it('reports the time to a full bucket when allowed and to the next token when rejected', () => {
    const [first] = run([T0])
    expect(first?.decision.ttl).toBe(200)
    const afterTwo = run([T0, T0])
    expect(afterTwo[1]?.decision.ttl).toBe(400)
    // Half a token left: the next whole one is 100 ms away.
    const rejected = decideTokenBucket({ level: W / 2, updatedAt: T0 }, T0, CAPACITY, W)
    expect(rejected.decision).toEqual({ allowed: false, current: CAPACITY + 1, ttl: 100 })
  })

  it('shows the whole tokens left as remaining', () => {
    const { decision } = decideTokenBucket({ level: 2.5 * W, updatedAt: T0 }, T0, CAPACITY, W)
    // 2.5 - 1 = 1.5 tokens → 1 remaining.
    expect(CAPACITY - decision.current).toBe(1)
  })

  it('refills nothing when the server clock steps back', () => {
    const { decision, state } = decideTokenBucket({ level: 0, updatedAt: T0 }, T0 - 5000, CAPACITY, W)
    expect(decision.allowed).toBe(false)
    expect(state.level).toBe(0)
  })

  it('always allows a rejected client exactly after its retry time, and not a millisecond before', () => {
    let seed = 7
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
    for (let i = 0; i < 2000; i++) {
      const capacity = 1 + Math.floor(random() * 100)
      const windowMs = 1 + Math.floor(random() * 60_000)
      const state = { level: Math.floor(random() * windowMs), updatedAt: T0 }
      const { decision } = decideTokenBucket(state, T0, capacity, windowMs)
      expect(decision.allowed).toBe(false)
      expect(decideTokenBucket(state, T0 + decision.ttl, capacity, windowMs).decision.allowed).toBe(true)
      if (decision.ttl > 1) expect(decideTokenBucket(state, T0 + decision.ttl - 1, capacity, windowMs).decision.allowed).toBe(false)
    }
  })
})
