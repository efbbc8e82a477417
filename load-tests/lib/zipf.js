// @ts-check
/**
 * Zipf-distributed ids: id k in 1..n is drawn with probability proportional to 1 / k^s, so id 1 is the
 * hottest, id 2 half as hot when s = 1, and the long tail is rarely touched: the skew of real browsing
 * that makes a cache worth having. Plain JS with JSDoc types, no imports: k6 (Docker) and the native
 * driver (Node) run this same file.
 * @see https://en.wikipedia.org/wiki/Zipf%27s_law
 */

/**
 * The cumulative weights of ids 1..n (inversion sampling: a uniform draw, then a binary search).
 * @param {number} n how many ids (1..n)
 * @param {number} s the exponent: 0 is uniform, 1 classic Zipf, higher is more skewed
 * @returns {Float64Array} cumulative probabilities, the last one 1
 */
export function zipfCdf (n, s) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`zipf: n must be an integer >= 1, got ${n}`)
  if (!Number.isFinite(s) || s < 0) throw new Error(`zipf: the exponent must be >= 0, got ${s}`)
  const cdf = new Float64Array(n)
  let total = 0
  for (let k = 1; k <= n; k++) {
    total += 1 / Math.pow(k, s)
    cdf[k - 1] = total
  }
  for (let i = 0; i < n; i++) cdf[i] = /** @type {number} */ (cdf[i]) / total
  return cdf
}

/**
 * A sampler of ids 1..n, Zipf-distributed with exponent s.
 * @param {number} n
 * @param {number} s
 * @param {() => number} [random] uniform in [0, 1): Math.random by default, a seeded one in tests
 * @returns {() => number}
 */
export function createZipfSampler (n, s, random = Math.random) {
  const cdf = zipfCdf(n, s)
  return () => {
    const u = random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (/** @type {number} */ (cdf[mid]) > u) hi = mid
      else lo = mid + 1
    }
    return lo + 1
  }
}

/**
 * A small seeded generator (mulberry32), uniform in [0, 1): reproducible draws for tests and runs.
 * @see https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
