import type { DashboardSpec } from '../dashboard.js'
import { p99, sumRate } from '../promql.js'
import { BREAKER_STATES, CACHE_HIT_RATIO, redisMemory } from './shared-panels.js'

/** services/catalog/src/cache/: reads through Redis, delete-on-write, single flight, fail-open. */
export const cacheAside: DashboardSpec = {
  slug: 'cache-aside',
  title: 'Pattern — cache-aside (catalog)',
  description: 'The catalog\'s product pages read through Redis: hits, misses, single flight, fail-open when Redis is down, and what PostgreSQL sees. Page: docs/patterns/cache-aside.md.',
  tags: ['pattern', 'cache-aside'],
  rows: [
    {
      title: 'Reads',
      panels: [
        {
          title: 'Product reads by cache result',
          shows: 'Product page reads per second by what the cache did: hit (from Redis), miss (loaded from PostgreSQL, then cached), negative_hit (an id known to be missing, from Redis), bypass (Redis unavailable: straight to PostgreSQL).',
          healthy: 'mostly hit; misses when new products are read or keys expire; no bypass.',
          broken: 'bypass replaces hit while Redis is stopped or slow (fail-open: pages still load, from PostgreSQL); a band of misses on the same few ids means keys expire too soon.',
          queries: [{ expr: sumRate(['result'], 'cache_requests_total{job="catalog"}'), legend: '{{result}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          title: 'Cache hit ratio, per replica',
          shows: 'The share of each catalog replica\'s reads answered from Redis (hits and negative hits).',
          healthy: 'both replicas high (above 90%) and close to each other: they share one Redis.',
          broken: 'a collapse towards 0 (Redis down or slow: reads bypass it), or one replica far below the other (it cannot reach Redis).',
          queries: [{ expr: CACHE_HIT_RATIO(['instance']), legend: '{{instance}}' }],
          unit: 'percentunit',
          min: 0,
          max: 1
        },
        {
          title: 'Product page latency (p99), per replica',
          shows: 'The time under which 99% of product page requests finished at each catalog replica (route /products/:id).',
          healthy: 'about a millisecond: most pages come from Redis.',
          broken: 'tens of milliseconds: pages are loaded from PostgreSQL (misses or bypass); seconds would mean Redis is slow and its breaker has not opened.',
          queries: [{ expr: p99(['instance'], 'http_server_request_duration_seconds_bucket{job="catalog",route="/products/:id"}'), legend: '{{instance}}' }],
          unit: 's',
          min: 0
        },
        {
          title: 'Reads that waited for a load already under way (single flight)',
          shows: 'Reads that did not go to PostgreSQL themselves because another read of the same key was loading it: in the same process (local) or on the other replica, which held the load lock (remote).',
          healthy: 'spikes exactly when a popular key expires under concurrent readers: one read loads it, the others wait and share the result.',
          broken: 'nothing here while a hot key expires under load, together with a burst of PostgreSQL queries: a stampede (every reader loads the row).',
          queries: [{ expr: sumRate(['scope'], 'cache_singleflight_coalesced_total{job="catalog"}'), legend: '{{scope}}' }],
          unit: 'reqps',
          min: 0
        }
      ]
    },
    {
      title: 'What PostgreSQL sees',
      panels: [
        {
          title: 'Catalog queries to PostgreSQL per second, by query',
          shows: 'Queries the catalog sends to PostgreSQL per second (catalog_db_queries_total), by query name.',
          healthy: 'far below the page reads per second: the cache absorbs the repeats.',
          broken: 'as many product queries as page reads (the cache is not used: Redis down, or every read a miss).',
          queries: [{ expr: sumRate(['query'], 'catalog_db_queries_total'), legend: '{{query}}' }],
          unit: 'ops',
          min: 0
        },
        {
          title: 'Catalog query latency (p99), by query',
          shows: 'The time under which 99% of the catalog\'s PostgreSQL queries finished (catalog_db_query_duration_seconds).',
          healthy: 'a few milliseconds.',
          broken: 'tens or hundreds of milliseconds: PostgreSQL is slowed (Toxiproxy latency on its proxy) or overloaded by misses.',
          queries: [{ expr: p99(['query'], 'catalog_db_query_duration_seconds_bucket'), legend: '{{query}}' }],
          unit: 's',
          min: 0
        }
      ]
    },
    {
      title: 'When Redis fails',
      panels: [
        {
          kind: 'state',
          title: 'Catalog\'s breaker around Redis',
          shows: 'The state of each catalog replica\'s circuit breaker around its Redis calls.',
          healthy: 'closed (green).',
          broken: 'open (red) while Redis is stopped or slow: reads skip Redis at once instead of waiting for its timeout; half-open while it probes Redis again.',
          queries: [{ expr: 'max by (instance) (circuit_breaker_state{job="catalog",breaker="redis"})', legend: '{{instance}}' }],
          valueTexts: BREAKER_STATES,
          width: 8
        },
        {
          title: 'Redis errors seen by the catalog, by operation',
          shows: 'Redis commands of the catalog that failed or timed out per second (cache_errors_total), by operation.',
          healthy: 'none.',
          broken: 'a burst of errors when Redis goes away, then few while the breaker is open (it stops trying); reads keep working, from PostgreSQL.',
          queries: [{ expr: sumRate(['operation'], 'cache_errors_total{job="catalog"}'), legend: '{{operation}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Invalidations waiting for Redis',
          shows: 'Keys whose delete-on-write failed because Redis was unreachable; they are deleted once Redis answers again (cache_pending_invalidations).',
          healthy: '0.',
          broken: 'above 0 while Redis is down and products are updated; if it stays above 0 after Redis is back, stale pages are being served.',
          queries: [{ expr: 'max by (instance) (cache_pending_invalidations{job="catalog"})', legend: '{{instance}}' }],
          unit: 'short',
          min: 0,
          width: 8
        },
        redisMemory,
        {
          title: 'Redis commands per second',
          shows: 'Commands Redis executes per second (redis_commands_processed_total from the redis-exporter): cache reads and writes plus the gateway\'s rate-limit scripts.',
          healthy: 'follows the traffic: about one rate-limit call per gateway request plus one cache read per product page.',
          broken: 'a drop to 0 while traffic flows: Redis is down or cut off (the catalog bypasses it, the rate limiter fails open).',
          queries: [{ expr: sumRate([], 'redis_commands_processed_total{job="redis-exporter"}'), legend: 'commands' }],
          unit: 'ops',
          min: 0,
          needsJob: 'redis-exporter'
        }
      ]
    }
  ]
}
