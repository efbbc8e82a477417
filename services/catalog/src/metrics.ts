import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { createBreakerMetrics } from '@lab/platform'
import { QUERY_NAMES } from './db/query.js'

/**
 * The catalog's own metric families, on the injected registry. Labels are closed sets (a handful of
 * results, operations and query names), never ids, so the number of series stays bounded.
 */
export function createCatalogMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    /** The lab's `circuit_breaker_*` family; the catalog's one breaker is `redis`, around the cache. */
    breakers: createBreakerMetrics(registry),
    cacheRequests: new Counter({
      name: 'cache_requests_total',
      help: 'Cache-aside reads by result: hit, miss (loaded from Postgres), bypass (Redis unavailable), negative_hit (known-missing id), off (the cache switched off by the lab)',
      labelNames: ['result'] as const,
      registers
    }),
    cacheErrors: new Counter({
      name: 'cache_errors_total',
      help: 'Redis operations that failed or timed out, by operation (requests then fail open)',
      labelNames: ['operation'] as const,
      registers
    }),
    singleFlightCoalesced: new Counter({
      name: 'cache_singleflight_coalesced_total',
      help: 'Reads answered by another read of the same key already under way: local (same process: shared its Redis GET or its Postgres load) or remote (waited for the replica holding the load lock)',
      labelNames: ['scope'] as const,
      registers
    }),
    pendingInvalidations: new Gauge({
      name: 'cache_pending_invalidations',
      help: 'Keys whose delete-on-write failed (Redis down) and will be deleted when Redis answers again',
      registers
    }),
    dbQueries: new Counter({
      name: 'catalog_db_queries_total',
      help: 'PostgreSQL queries run by the catalog, by query name',
      labelNames: ['query'] as const,
      registers
    }),
    dbQueryDuration: new Histogram({
      name: 'catalog_db_query_duration_seconds',
      help: 'PostgreSQL query duration in seconds, by query name',
      labelNames: ['query'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers
    })
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const result of ['hit', 'miss', 'bypass', 'negative_hit']) metrics.cacheRequests.inc({ result }, 0)
  for (const operation of ['get', 'lock', 'poll', 'set', 'unlock', 'delete']) metrics.cacheErrors.inc({ operation }, 0)
  for (const scope of ['local', 'remote']) metrics.singleFlightCoalesced.inc({ scope }, 0)
  for (const query of QUERY_NAMES) metrics.dbQueries.inc({ query }, 0)
  return metrics
}

export type CatalogMetrics = ReturnType<typeof createCatalogMetrics>
export type CacheMetrics = Pick<CatalogMetrics, 'cacheRequests' | 'cacheErrors' | 'singleFlightCoalesced' | 'pendingInvalidations'>
