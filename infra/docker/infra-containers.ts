import { address, DB_PASSWORD, DB_USER, KAFKA_CONTROLLER_PORT, KAFKA_PROXIED_PORT, proxied, type InfraComponent, type InfraKind } from '../topology.js'
import { kafkaServerProperties } from '../native/components/kafka-config.js'
import { alertmanagerArgs } from '../config/alertmanager.js'
import { listenAddress, postgresExporterRun, redisExporterRun, type ExporterRun } from '../config/exporters.js'
import { dependsOn, healthcheck, MOUNTS, publish, VOLUMES, type ComposeService } from './compose-spec.js'

/** Pinned images, one per kind of infra component. */
export const IMAGES: Record<InfraKind, string> = {
  postgres: 'postgres:17-alpine',
  redis: 'redis:7-alpine',
  kafka: 'apache/kafka:4.1.1',
  // FROM scratch: only /toxiproxy and /toxiproxy-cli, no shell (github.com/Shopify/toxiproxy/blob/v2.12.0/Dockerfile).
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
  // Busybox-based (the default variant), so `wget` is there for the healthcheck.
  prometheus: 'prom/prometheus:v3.14.0',
  // Busybox-based too (wget for the healthcheck).
  alertmanager: 'prom/alertmanager:v0.28.1',
  'postgres-exporter': 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
  // The -alpine variant: the default one is FROM scratch, with no shell for the healthcheck.
  'redis-exporter': 'oliver006/redis_exporter:v1.74.0-alpine',
  grafana: 'grafana/grafana:12.3.1'
}

/** Startup dependencies between infra components (the Node services' come from the topology). */
const INFRA_DEPENDS_ON: Partial<Record<InfraKind, string[]>> = {
  grafana: ['prometheus']
}

/** A fixed KRaft cluster id ("lab-kafka-docker": 16 bytes, URL-safe base64, as `kafka-storage random-uuid` prints). */
export const KAFKA_CLUSTER_ID = 'bGFiLWthZmthLWRvY2tlcg'

type KindSpecific = Pick<ComposeService, 'command' | 'environment' | 'volumes' | 'healthcheck'>

const byKind: Record<InfraKind, (c: InfraComponent) => KindSpecific> = {
  postgres: ({ ports }) => ({
    // The entrypoint creates the user and runs init.sql once, on an empty data volume.
    // PGPORT sets both the server's port and the one the entrypoint's init scripts use.
    environment: { POSTGRES_USER: DB_USER, POSTGRES_PASSWORD: DB_PASSWORD, PGPORT: String(ports.docker) },
    volumes: [`${VOLUMES.postgres}:/var/lib/postgresql/data`, MOUNTS.postgresInit],
    // TCP on purpose: during initialisation the entrypoint's temporary server listens on the socket only.
    healthcheck: healthcheck(['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(ports.docker), '-U', DB_USER])
  }),
  redis: ({ ports }) => ({
    // No persistence, as in native mode: a cache and counters, not a database.
    command: ['redis-server', '--port', String(ports.docker), '--save', '', '--appendonly', 'no'],
    healthcheck: healthcheck(['CMD', 'redis-cli', '-p', String(ports.docker), 'ping'])
  }),
  kafka: (c) => ({
    environment: kafkaEnvironment(c),
    volumes: [`${VOLUMES.kafka}:/var/lib/kafka/data`],
    // The CLI is a JVM too: its own small heap, or it would take the broker's KAFKA_HEAP_OPTS inside the same memory limit.
    healthcheck: healthcheck(
      ['CMD-SHELL', `KAFKA_HEAP_OPTS='-Xms32m -Xmx64m' /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${c.ports.docker} > /dev/null`],
      { interval: '10s', timeout: '15s', start_period: '30s' }
    )
  }),
  toxiproxy: ({ ports }) => ({
    command: ['-host=0.0.0.0', `-port=${ports.docker}`, '-config=/config/toxiproxy.json'],
    volumes: [MOUNTS.toxiproxy],
    healthcheck: healthcheck(['CMD', '/toxiproxy-cli', '--host', `http://127.0.0.1:${ports.docker}`, 'list'])
  }),
  prometheus: ({ ports }) => ({
    // Replaces the image's CMD, so its two defaults are repeated; lifecycle enables POST /-/reload.
    command: [
      '--config.file=/etc/prometheus/prometheus.yml',
      '--storage.tsdb.path=/prometheus',
      `--web.listen-address=0.0.0.0:${ports.docker}`,
      '--web.enable-lifecycle'
    ],
    volumes: [MOUNTS.prometheus, MOUNTS.prometheusRules],
    healthcheck: healthcheck(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${ports.docker}/-/ready`])
  }),
  alertmanager: ({ name, ports }) => ({
    command: alertmanagerArgs({ configFile: '/etc/alertmanager/alertmanager.yml', storage: '/alertmanager' }, listenAddress(name, 'docker')),
    volumes: [MOUNTS.alertmanager],
    healthcheck: healthcheck(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${ports.docker}/-/ready`])
  }),
  'postgres-exporter': ({ ports }) => exporterContainer(postgresExporterRun('docker'), ports.docker),
  'redis-exporter': ({ ports }) => exporterContainer(redisExporterRun('docker'), ports.docker),
  grafana: ({ ports }) => ({
    environment: {
      GF_SERVER_HTTP_PORT: String(ports.docker),
      // A lab: dashboards readable without logging in; editing still needs the admin login.
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false'
    },
    volumes: [MOUNTS.grafanaProvisioning, MOUNTS.grafanaDashboards],
    // -O /dev/null: the working directory is not writable, and wget would save the body there.
    healthcheck: healthcheck(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${ports.docker}/api/health`])
  })
}

/** Healthy once its /metrics says it reaches what it watches (`pg_up 1`), not merely that it listens. */
function exporterContainer (run: ExporterRun, port: number): KindSpecific {
  return {
    command: run.args,
    environment: Object.keys(run.env).length === 0 ? undefined : run.env,
    healthcheck: healthcheck(['CMD-SHELL', `wget -q -O - http://127.0.0.1:${port}/metrics | grep -qx '${run.upLine}'`])
  }
}

/** The image's mapping of a server property to its variable: `.` → `_`, `_` → `__`, `-` → `___`. */
function kafkaEnvName (property: string): string {
  return `KAFKA_${property.replaceAll('_', '__').replaceAll('-', '___').replaceAll('.', '_').toUpperCase()}`
}

/**
 * Single-node KRaft (broker and controller in one process), configured through the image's KAFKA_*
 * variables. The settings are native mode's server.properties, one list for both modes, with
 * Docker's addresses: listen on every interface, advertise the Compose name. Every variable the image
 * would otherwise default is thereby set.
 * @see https://github.com/apache/kafka/blob/trunk/docker/examples/README.md
 */
function kafkaEnvironment ({ ports, memoryMb }: InfraComponent): Record<string, string> {
  const controllerPort = KAFKA_CONTROLLER_PORT.docker
  const dockerAddresses: Record<string, string> = {
    listeners: `PLAINTEXT://:${ports.docker},PROXIED://:${KAFKA_PROXIED_PORT.docker},CONTROLLER://:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${address('kafka', 'docker')},PROXIED://${proxied('kafka', 'docker')}`,
    'controller.quorum.voters': `1@localhost:${controllerPort}`
  }
  const properties = kafkaServerProperties({ port: ports.docker, controllerPort, logDir: '/var/lib/kafka/data', proxied: { port: KAFKA_PROXIED_PORT.docker, advertised: proxied('kafka', 'docker') } })
    .split('\n')
    .filter((line) => line.includes('=') && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    .map(([key, value]) => [kafkaEnvName(key), dockerAddresses[key] ?? value] as const)
  return {
    CLUSTER_ID: KAFKA_CLUSTER_ID,
    ...Object.fromEntries(properties),
    // Half the memory limit for the heap; the rest is metaspace, threads, page cache and the healthcheck's JVM.
    KAFKA_HEAP_OPTS: `-Xms${Math.floor(memoryMb / 4)}m -Xmx${Math.floor(memoryMb / 2)}m`
  }
}

export function infraContainer (component: InfraComponent): ComposeService {
  return {
    image: IMAGES[component.kind],
    ...byKind[component.kind](component),
    ports: publish(component.ports.host, component.ports.docker),
    depends_on: dependsOn([...(INFRA_DEPENDS_ON[component.kind] ?? []), ...(component.dependsOn ?? [])]),
    mem_limit: `${component.memoryMb}m`,
    restart: 'unless-stopped'
  }
}
