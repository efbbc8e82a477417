import { percentile } from '../../bench/stats.js'

export interface ProbeResult { p50Ms: number, count: number, attempts: number }

/**
 * Sequential product page reads straight at the catalog replicas (no gateway hop, no rate limit),
 * keeping only the answers whose `x-cache` is `want`: the time the cache itself saves, not a queue's.
 */
export async function probeCacheLatency (replicas: string[], want: 'hit' | 'miss', ids: () => number, count: number, maxAttempts = count * 5): Promise<ProbeResult> {
  const times: number[] = []
  let attempts = 0
  while (times.length < count && attempts < maxAttempts) {
    const url = `${replicas[attempts % replicas.length] ?? ''}/products/${ids()}`
    attempts++
    const t0 = performance.now()
    const res = await fetch(url)
    await res.arrayBuffer()
    const ms = performance.now() - t0
    if (res.status === 200 && res.headers.get('x-cache') === want) times.push(ms)
  }
  return { p50Ms: percentile(times.sort((a, b) => a - b), 50), count: times.length, attempts }
}
