import type { StandIn } from '../stand-in.js'

/**
 * postgres:17-alpine: Debian bookworm has no PostgreSQL 17, so its postgresql-15 stands in. The
 * entrypoint is the stand-in's own, honouring the official image's documented contract (POSTGRES_*,
 * PGDATA, PGPORT, /docker-entrypoint-initdb.d); the postgres user has the alpine image's uid/gid 70.
 */
export const postgresStandIn: StandIn = {
  image: 'postgres:17-alpine',
  dir: 'postgres',
  builtFrom: 'PostgreSQL 15.x from Debian bookworm (postgresql-15 15.20-0+deb12u1 when written; standing in for 17), own docker-entrypoint.sh',
  from: ['lab-standin/debian:bookworm']
}
