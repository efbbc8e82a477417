import type { StandIn } from '../stand-in.js'

/** redis:7-alpine: Debian bookworm's redis-server 7.0, with an entrypoint that behaves as the official one. */
export const redisStandIn: StandIn = {
  image: 'redis:7-alpine',
  dir: 'redis',
  builtFrom: 'Redis 7.0 from Debian bookworm (redis-server 5:7.0.15-1~deb12u10 when written; standing in for 7.x), own docker-entrypoint.sh',
  from: ['lab-standin/debian:bookworm']
}
