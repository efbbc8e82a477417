import { ALERT_RULES_PATH } from '../config/prometheus.js'
import { GENERATED_PATHS, GRAFANA_DASHBOARDS_DIR, GRAFANA_DASHBOARDS_MOUNT, GRAFANA_PROVISIONING_DIR } from './paths.js'

/**
 * The subset of the Compose file format the lab writes. It must stay within what Debian's
 * docker-compose 1.29.2 validates (a test runs `docker-compose config -q`): no top-level `name:`,
 * no `depends_on.<service>.required`, no `healthcheck.start_interval`.
 * @see https://docs.docker.com/reference/compose-file/services/
 */
export interface Healthcheck {
  test: string[]
  interval: string
  timeout: string
  retries: number
  start_period: string
}

export interface ComposeService {
  image?: string
  build?: { context: string, dockerfile: string, args?: Record<string, string>, network?: string }
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  depends_on?: Record<string, { condition: 'service_healthy' }>
  /** Every long-running container has one; a one-shot job under a profile (k6, infra/docker/k6.ts) has none. */
  healthcheck?: Healthcheck
  mem_limit: string
  restart: 'unless-stopped' | 'no'
  /** Only started when one of these profiles is asked for (`docker compose --profile load ...`). */
  profiles?: string[]
  init?: boolean
  stop_grace_period?: string
}

export interface ComposeFile {
  services: Record<string, ComposeService>
  volumes: Record<string, Record<string, never>>
}

/** Named volumes: data that survives `docker compose down` (and goes with `down -v`). */
export const VOLUMES = { postgres: 'postgres-data', kafka: 'kafka-data' } as const

/** Bind mounts of generated and provisioning files, relative to the project directory. */
export const MOUNTS = {
  postgresInit: `./${GENERATED_PATHS.postgresInit}:/docker-entrypoint-initdb.d/init.sql:ro`,
  prometheus: `./${GENERATED_PATHS.prometheus}:/etc/prometheus/prometheus.yml:ro`,
  // Beside the config: its rule_files entry is the relative `alerts.yml` (infra/config/prometheus.ts).
  prometheusRules: `./${ALERT_RULES_PATH}:/etc/prometheus/alerts.yml:ro`,
  alertmanager: `./${GENERATED_PATHS.alertmanager}:/etc/alertmanager/alertmanager.yml:ro`,
  toxiproxy: `./${GENERATED_PATHS.toxiproxy}:/config/toxiproxy.json:ro`,
  grafanaProvisioning: `./${GRAFANA_PROVISIONING_DIR}:/etc/grafana/provisioning:ro`,
  grafanaDashboards: `./${GRAFANA_DASHBOARDS_DIR}:${GRAFANA_DASHBOARDS_MOUNT}:ro`
} as const

/**
 * Published ports are the lab's well-known ones only, bound to the host's loopback: the Toxiproxy API
 * and anonymous Grafana have no authentication, so they are not offered to the whole network.
 */
export function publish (hostPort: number | undefined, containerPort: number): string[] | undefined {
  return hostPort === undefined ? undefined : [`127.0.0.1:${hostPort}:${containerPort}`]
}

export function healthcheck (test: string[], timing: Partial<Omit<Healthcheck, 'test'>> = {}): Healthcheck {
  return { test, interval: '5s', timeout: '5s', retries: 12, start_period: '10s', ...timing }
}

export function dependsOn (names: string[]): ComposeService['depends_on'] {
  if (names.length === 0) return undefined
  return Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' as const }]))
}
