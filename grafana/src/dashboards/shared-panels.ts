import type { PanelSpec } from '../panel.js'
import { ratio } from '../promql.js'

/** 0 closed, 1 half-open, 2 open: the values of circuit_breaker_state (packages/platform/src/breaker.ts). */
export const BREAKER_STATES: PanelSpec['valueTexts'] = {
  0: { text: 'closed', color: 'green' },
  1: { text: 'half-open', color: 'orange' },
  2: { text: 'open', color: 'red' }
}

/** The catalog's reads answered from Redis (negative hits: an id known to be missing, also from Redis). */
export const CACHE_HIT_RATIO = (labels: string[]) =>
  ratio(labels, 'cache_requests_total{job="catalog",result=~"hit|negative_hit"}', 'cache_requests_total{job="catalog"}')

export const redisMemory: PanelSpec = {
  title: 'Redis memory used',
  shows: 'Bytes of memory Redis uses (redis_memory_used_bytes from the redis-exporter): the cached product pages, negative-cache entries and the rate limiter\'s counters.',
  healthy: 'a flat line or a slow climb that levels off: every cache key carries a TTL (with jitter), so entries expire as fast as new ones arrive.',
  broken: 'a line that keeps climbing means keys without a TTL (a leak); a drop to nothing, or no line, means Redis restarted or the exporter cannot reach it (the catalog then answers with x-cache: bypass).',
  queries: [{ expr: 'max by (instance) (redis_memory_used_bytes{job="redis-exporter"})', legend: 'memory used' }],
  unit: 'bytes',
  min: 0,
  needsJob: 'redis-exporter'
}

export const postgresConnections: PanelSpec = {
  title: 'PostgreSQL connections, by database',
  shows: 'Open server connections per database (pg_stat_database_numbackends from the postgres-exporter): each service keeps a small pool on its own database.',
  healthy: 'a few connections per database, steady under load: the pools reuse their connections.',
  broken: 'a database near the server\'s max_connections, or one that climbs with the load, means a pool leaking or sized too large; no lines at all means PostgreSQL (or its exporter) is down.',
  queries: [{ expr: 'sum by (datname) (pg_stat_database_numbackends{job="postgres-exporter",datname!~"template.*"})', legend: '{{datname}}' }],
  unit: 'short',
  min: 0,
  needsJob: 'postgres-exporter'
}
