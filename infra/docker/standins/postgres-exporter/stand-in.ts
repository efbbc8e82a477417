import type { StandIn } from '../stand-in.js'

/** quay.io/prometheuscommunity/postgres-exporter:v0.17.1: Debian bookworm's postgres_exporter 0.11. */
export const postgresExporterStandIn: StandIn = {
  image: 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
  dir: 'postgres-exporter',
  builtFrom: 'postgres_exporter 0.11 from Debian bookworm (prometheus-postgres-exporter 0.11.1-3+b5 when written; standing in for v0.17), busybox wget',
  from: ['lab-standin/debian:bookworm']
}
