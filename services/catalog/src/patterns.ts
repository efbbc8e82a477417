import { createSwitchSet, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'
import type { CachePatternSwitches } from './cache/cache-aside.js'

/** The catalog's pattern switches (GET|PUT|DELETE /admin/switches), all on by default. */
export const CATALOG_PATTERNS = ['cache', 'single-flight', 'negative-cache'] as const
export type CatalogPattern = typeof CATALOG_PATTERNS[number]

export function createCatalogSwitches (registry: Registry): SwitchSet<CatalogPattern> {
  return createSwitchSet({
    names: CATALOG_PATTERNS,
    registry,
    descriptions: {
      cache: 'cache-aside on Redis: off, every product page is read from PostgreSQL (x-cache: off)',
      'single-flight': 'one load per key, in-process and across replicas: off, a hot key expiring sends every reader to PostgreSQL',
      'negative-cache': 'unknown ids remembered for NEGATIVE_TTL_SECONDS: off, each lookup of one reads PostgreSQL'
    }
  })
}

/** What the cache reads on every call. */
export function cacheSwitches (switches: SwitchSet<CatalogPattern>): () => CachePatternSwitches {
  return () => ({ cache: switches.enabled('cache'), singleFlight: switches.enabled('single-flight'), negativeCache: switches.enabled('negative-cache') })
}
