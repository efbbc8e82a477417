import type { StandIn } from '../stand-in.js'

/** oliver006/redis_exporter:v1.74.0-alpine: Debian bookworm's redis_exporter 1.45. */
export const redisExporterStandIn: StandIn = {
  image: 'oliver006/redis_exporter:v1.74.0-alpine',
  dir: 'redis-exporter',
  builtFrom: 'redis_exporter 1.45 from Debian bookworm (prometheus-redis-exporter 1.45.0-2+b4 when written; standing in for v1.74), busybox wget',
  from: ['lab-standin/debian:bookworm']
}
