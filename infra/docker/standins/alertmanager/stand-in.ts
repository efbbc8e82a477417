import type { StandIn } from '../stand-in.js'

/** prom/alertmanager:v0.28.1: Debian bookworm's Alertmanager 0.25, laid out as the official image. */
export const alertmanagerStandIn: StandIn = {
  image: 'prom/alertmanager:v0.28.1',
  dir: 'alertmanager',
  builtFrom: 'Alertmanager 0.25 from Debian bookworm (prometheus-alertmanager 0.25.0-1+b4 when written; standing in for v0.28), busybox wget',
  from: ['lab-standin/debian:bookworm']
}
