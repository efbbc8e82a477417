import type { SwitchDefinitions, SwitchSet } from '@lab/platform'

/** The catalog's pattern switches (GET|PUT|DELETE /admin/switches), each defined once, all on by default. */
export const CATALOG_SWITCHES = {
  cache: 'cache-aside on Redis: off, every product page is read from PostgreSQL (x-cache: off)',
  'single-flight': 'one load per key, in-process and across replicas: off, a hot key expiring sends every reader to PostgreSQL',
  'negative-cache': 'unknown ids remembered for NEGATIVE_TTL_SECONDS: off, each lookup of one reads PostgreSQL'
} as const satisfies SwitchDefinitions
export type CatalogPattern = keyof typeof CATALOG_SWITCHES

/** The parts of the cache-aside pattern the lab can switch off at run time. */
export interface CachePatternSwitches {
  /** Off: every read goes to Postgres; Redis is not touched (cache/cache-off.ts). */
  cache: boolean
  /** Off: no coalescing, neither in-process nor across replicas (the Redis lock): a stampede reaches Postgres (cache/cache-aside-no-coalescing.ts). */
  singleFlight: boolean
  /** Off: unknown ids are not remembered; every request for one reads Postgres. */
  negativeCache: boolean
}

/** What the product pages read on every call, to pick the cache's variant. */
export function cacheSwitches (switches: SwitchSet<CatalogPattern>): () => CachePatternSwitches {
  return () => ({ cache: switches.enabled('cache'), singleFlight: switches.enabled('single-flight'), negativeCache: switches.enabled('negative-cache') })
}
