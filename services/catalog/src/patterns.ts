import type { SwitchDefinitions, SwitchSet } from '@lab/platform'
import type { CachePatternSwitches } from './cache/cache-aside.js'

/** The catalog's pattern switches (GET|PUT|DELETE /admin/switches), each defined once, all on by default. */
export const CATALOG_SWITCHES = {
  cache: 'cache-aside on Redis: off, every product page is read from PostgreSQL (x-cache: off)',
  'single-flight': 'one load per key, in-process and across replicas: off, a hot key expiring sends every reader to PostgreSQL',
  'negative-cache': 'unknown ids remembered for NEGATIVE_TTL_SECONDS: off, each lookup of one reads PostgreSQL'
} as const satisfies SwitchDefinitions
export type CatalogPattern = keyof typeof CATALOG_SWITCHES

/** What the cache reads on every call. */
export function cacheSwitches (switches: SwitchSet<CatalogPattern>): () => CachePatternSwitches {
  return () => ({ cache: switches.enabled('cache'), singleFlight: switches.enabled('single-flight'), negativeCache: switches.enabled('negative-cache') })
}
