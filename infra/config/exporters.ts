import { address, DB_PASSWORD, DB_USER, infra, type Mode } from '../topology.js'

/** How one exporter is started: its command-line flags and environment, the same in both modes. */
export interface ExporterRun {
  args: string[]
  env: Record<string, string>
  /** A line of its /metrics that says it reaches what it watches (its health check looks for it). */
  upLine: string
}

/** Where a component listens: every interface in its container, the loopback natively. */
export function listenAddress (name: string, mode: Mode): string {
  const component = infra.find((c) => c.name === name)
  if (component === undefined) throw new Error(`unknown infra component ${name}`)
  return mode === 'docker' ? `0.0.0.0:${component.ports.docker}` : `127.0.0.1:${component.ports.native}`
}

/**
 * prometheus-postgres-exporter (Debian) / quay.io/prometheuscommunity/postgres-exporter: pg_up,
 * pg_stat_database_* per database, locks, bgwriter. pg_settings_* (~300 series of configuration) is
 * left out to keep the lab's series count bounded. The lab role has pg_monitor (postgres-provision.ts;
 * in Docker it is the image's superuser).
 * @see https://github.com/prometheus-community/postgres_exporter#environment-variables
 */
export function postgresExporterRun (mode: Mode): ExporterRun {
  return {
    args: [`--web.listen-address=${listenAddress('postgres-exporter', mode)}`, '--disable-settings-metrics'],
    env: { DATA_SOURCE_NAME: `postgresql://${DB_USER}:${DB_PASSWORD}@${address('postgres', mode)}/postgres?sslmode=disable` },
    upLine: 'pg_up 1'
  }
}

/**
 * prometheus-redis-exporter (Debian) / oliver006/redis_exporter: redis_up, memory, keyspace hits and
 * misses, commands per second. --redis-only-metrics drops the exporter's own Go runtime series.
 * @see https://github.com/oliver006/redis_exporter#command-line-flags
 */
export function redisExporterRun (mode: Mode): ExporterRun {
  return {
    args: [`--redis.addr=redis://${address('redis', mode)}`, `--web.listen-address=${listenAddress('redis-exporter', mode)}`, '--redis-only-metrics'],
    env: {},
    upLine: 'redis_up 1'
  }
}
