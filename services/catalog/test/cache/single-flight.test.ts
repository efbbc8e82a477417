import { describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { SingleFlight } from '../../src/cache/single-flight.js'

describe('SingleFlight', () => {
  it('runs one load for concurrent callers of the same key and shares its result', async () => {
    const flight = new SingleFlight<number>()
    let loads = 0
    const load = async () => { loads++; await sleep(20); return 7 }
    const results = await Promise.all(Array.from({ length: 50 }, async () => await flight.run('k', load)))
    expect(loads).toBe(1)
    expect(results.every((r) => r.value === 7)).toBe(true)
    expect(results.filter((r) => !r.shared)).toHaveLength(1)
    expect(flight.size).toBe(0)
  })

  it('keeps keys apart and loads again once the previous load settled', async () => {
    const flight = new SingleFlight<string>()
    const seen: string[] = []
    await Promise.all(['a', 'b', 'a'].map(async (k) => await flight.run(k, async () => { seen.push(k); await sleep(5); return k })))
    await flight.run('a', async () => { seen.push('a'); return 'a' })
    expect(seen.sort()).toEqual(['a', 'a', 'b'])
  })

  it('shares a failure with every waiter, then forgets it', async () => {
    const flight = new SingleFlight<number>()
    const failing = async () => { await sleep(5); throw new Error('boom') }
    const settled = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)])
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected'])
    await expect(flight.run('k', async () => 1)).resolves.toEqual({ value: 1, shared: false })
  })

  it('starts a fresh load after forget(), while earlier callers keep the old result', async () => {
    const flight = new SingleFlight<string>()
    const old = flight.run('k', async () => { await sleep(20); return 'old' })
    flight.forget('k')
    const fresh = flight.run('k', async () => { await sleep(5); return 'new' })
    const later = flight.run('k', async () => 'never')
    expect(await old).toEqual({ value: 'old', shared: false })
    expect(await fresh).toEqual({ value: 'new', shared: false })
    expect(await later).toEqual({ value: 'new', shared: true })
    expect(flight.size).toBe(0)
  })
})
