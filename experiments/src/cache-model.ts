/**
 * What a TTL cache should give under Zipf reads, to compare the measured hit ratio with: each key is
 * cached for `ttl` seconds from the miss that loaded it, so with reads of key k arriving at λ·p(k) per
 * second it is a hit with probability λ·p(k)·T / (1 + λ·p(k)·T) (a renewal argument: one miss, then
 * on average λ·p(k)·T hits, per TTL period). Summed over keys weighted by p(k).
 * @see https://doi.org/10.1109/TNET.2011.2178519 (Fofack et al., analysis of TTL-based cache networks)
 */
export function ttlCacheHitRatio ({ products, zipfExponent, rate, ttlSeconds }: { products: number, zipfExponent: number, rate: number, ttlSeconds: number }): number {
  let total = 0
  for (let k = 1; k <= products; k++) total += k ** -zipfExponent
  let hit = 0
  for (let k = 1; k <= products; k++) {
    const p = k ** -zipfExponent / total
    const x = rate * p * ttlSeconds
    hit += p * x / (1 + x)
  }
  return hit
}
