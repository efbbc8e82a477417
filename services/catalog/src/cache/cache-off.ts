import type { CacheMetrics } from '../metrics.js'
import type { CacheRead } from './cache-entry.js'

/**
 * The `cache` switch off (picked per read in plugins/product-pages.ts, in place of CacheAside.read):
 * every read goes to Postgres and Redis is not touched (x-cache: off).
 */
export async function readWithoutCache<T> (load: () => Promise<T | null>, metrics: Pick<CacheMetrics, 'cacheRequests'>): Promise<CacheRead<T>> {
  metrics.cacheRequests.inc({ result: 'off' })
  return { value: await load(), source: 'off' }
}
