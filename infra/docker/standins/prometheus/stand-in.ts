import type { StandIn } from '../stand-in.js'

/**
 * prom/prometheus:v3.14.0: Debian bookworm's Prometheus 2.42, a major version behind, chosen over a v3
 * built from the Go module proxy (6+ minutes on two cores, and its web UI answers 500 without the
 * UI's assets). The lab's configuration and rules load in both.
 */
export const prometheusStandIn: StandIn = {
  image: 'prom/prometheus:v3.14.0',
  dir: 'prometheus',
  builtFrom: 'Prometheus 2.42 from Debian bookworm (prometheus 2.42.0+ds-5+deb12u1 when written; standing in for v3.14), busybox wget',
  from: ['lab-standin/debian:bookworm']
}
