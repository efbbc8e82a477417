import { afterAll, describe, expect, it } from 'vitest'
import { createBalancer } from '../../src/upstream/balancer.js'
import { Replica } from '../../src/upstream/replica.js'

const replicas = [new Replica('http://127.0.0.1:1', 'a'), new Replica('http://127.0.0.1:2', 'b'), new Replica('http://127.0.0.1:3', 'c')]
afterAll(async () => { await Promise.all(replicas.map(async (r) => { await r.pool.close() })) })

function reset (): void {
  for (const r of replicas) { r.healthy = true; r.outstanding = 0 }
}

describe('balancer', () => {
  it('rotates evenly over healthy replicas when none is busier', () => {
    reset()
    const pick = createBalancer('least-outstanding')
    const names = Array.from({ length: 6 }, () => pick(replicas)?.name)
    expect(names.filter((n) => n === 'a')).toHaveLength(2)
    expect(names.filter((n) => n === 'b')).toHaveLength(2)
    expect(names.filter((n) => n === 'c')).toHaveLength(2)
  })

  it('sends the next request to the replica with the fewest requests in flight', () => {
    reset()
    const [a, b, c] = replicas as [Replica, Replica, Replica]
    a.outstanding = 5
    b.outstanding = 1
    c.outstanding = 3
    const pick = createBalancer('least-outstanding')
    for (let i = 0; i < 3; i++) expect(pick(replicas)?.name).toBe('b')
  })

  it('round-robin ignores load', () => {
    reset()
    ;(replicas[0] as Replica).outstanding = 100
    const pick = createBalancer('round-robin')
    expect([pick(replicas), pick(replicas), pick(replicas)].map((r) => r?.name)).toEqual(['a', 'b', 'c'])
  })

  it('skips unhealthy and excluded replicas, and finds none when all are out', () => {
    reset()
    const [a, b, c] = replicas as [Replica, Replica, Replica]
    b.healthy = false
    const pick = createBalancer('least-outstanding')
    for (let i = 0; i < 4; i++) expect(pick(replicas, a)?.name).toBe('c')
    c.healthy = false
    expect(pick(replicas, a)).toBeUndefined()
  })
})
