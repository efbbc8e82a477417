import type { StandIn } from './stand-in.js'
import { nodeStandIn } from './node/stand-in.js'
import { postgresStandIn } from './postgres/stand-in.js'
import { redisStandIn } from './redis/stand-in.js'
import { prometheusStandIn } from './prometheus/stand-in.js'
import { alertmanagerStandIn } from './alertmanager/stand-in.js'
import { postgresExporterStandIn } from './postgres-exporter/stand-in.js'
import { redisExporterStandIn } from './redis-exporter/stand-in.js'
import { kafkaStandIn } from './kafka/stand-in.js'
import { toxiproxyStandIn } from './toxiproxy/stand-in.js'
import { ryukStandIn } from './ryuk/stand-in.js'

/** The Debian base every stand-in but the FROM-scratch ones is built on: imported, not built. */
export const DEBIAN_BASE = 'lab-standin/debian:bookworm'

/**
 * Every image the lab names that our machines cannot pull: docker-compose.yml's (Grafana and k6 are
 * AGPL: no stand-in, never run here), the Dockerfile's base, and those the test kit's testcontainers
 * start. Built in this order (a stand-in after those it is built FROM).
 */
export const STAND_INS: StandIn[] = [
  nodeStandIn,
  postgresStandIn,
  redisStandIn,
  prometheusStandIn,
  alertmanagerStandIn,
  postgresExporterStandIn,
  redisExporterStandIn,
  kafkaStandIn,
  toxiproxyStandIn,
  ryukStandIn
]
