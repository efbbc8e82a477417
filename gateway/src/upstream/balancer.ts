import type { Replica } from './replica.js'

export type BalancingStrategy = 'least-outstanding' | 'round-robin'

/**
 * Picks the replica for the next request among the healthy ones, skipping `exclude` (a replica that
 * just failed this request). Least-outstanding sends work to the replica with the fewest requests in
 * flight, so a slow replica gets less; ties (and round-robin) rotate.
 */
export function createBalancer (strategy: BalancingStrategy) {
  let next = 0
  return function pick (replicas: readonly Replica[], exclude?: Replica): Replica | undefined {
    const candidates = replicas.filter((r) => r.healthy && r !== exclude)
    if (candidates.length === 0) return undefined
    const start = next++ % candidates.length
    let best = candidates[start] as Replica
    if (strategy === 'round-robin') return best
    for (let i = 1; i < candidates.length; i++) {
      const r = candidates[(start + i) % candidates.length] as Replica
      if (r.outstanding < best.outstanding) best = r
    }
    return best
  }
}
