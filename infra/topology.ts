/**
 * The lab's one source of truth for names, ports and environment. docker-compose.yml, the Prometheus
 * and Toxiproxy configurations (both modes) and the native runner are all derived from this file;
 * `pnpm generate` rewrites the committed files and a test fails when they drift.
 *
 * Docker: every component is reached by its service name on its container port.
 * Native: every component is a process on 127.0.0.1 with a private port.
 */
export type Mode = 'docker' | 'native'

export interface Ports {
  /** Port inside the container (Docker). */
  docker: number
  /** Port on 127.0.0.1 (native). */
  native: number
  /** Published on the host in Docker: the lab's well-known ports. */
  host?: number
}

export type InfraKind = 'postgres' | 'redis' | 'kafka' | 'toxiproxy' | 'prometheus' | 'alertmanager' | 'postgres-exporter' |
  'redis-exporter' | 'grafana'

export interface InfraComponent {
  name: string
  kind: InfraKind
  ports: Ports
  memoryMb: number
  /** Runs natively too (Grafana does not: it is AGPL and never installed on our machines). */
  native: boolean
  /** Components that must be healthy before this one starts (both modes). */
  dependsOn?: string[]
  /** Prometheus scrapes its /metrics under this job (and its name as the instance). */
  scrapeJob?: string
}

/** A TCP proxy in Toxiproxy between the services and a dependency, for faults on demand. */
export interface Proxy {
  name: string
  upstream: string
  /** Listen port of the proxy, the same in both modes. */
  listenPort: number
  /** The upstream's port when it is not its main one (Kafka: its PROXIED listener); its main port by default. */
  upstreamPorts?: Ports
}

export interface NodeService {
  /** Instance name: also the Docker service name and the native process name. */
  name: string
  /** Workspace folder of its code, e.g. `services/catalog`. */
  workspace: string
  port: number
  hostPort?: number
  memoryMb: number
  dependsOn: string[]
  env: (mode: Mode) => Record<string, string>
}

export const DB_USER = 'lab'
export const DB_PASSWORD = 'lab'
/** One database per service that owns data; no service reads another's tables. */
export const DATABASES = ['catalog', 'inventory', 'orders', 'payments', 'notifications'] as const

export const infra: InfraComponent[] = [
  { name: 'postgres', kind: 'postgres', ports: { docker: 5432, native: 25432 }, memoryMb: 512, native: true },
  { name: 'redis', kind: 'redis', ports: { docker: 6379, native: 26379 }, memoryMb: 128, native: true },
  { name: 'kafka', kind: 'kafka', ports: { docker: 9092, native: 29092 }, memoryMb: 768, native: true },
  { name: 'toxiproxy', kind: 'toxiproxy', ports: { docker: 8474, native: 8474, host: 8474 }, memoryMb: 64, native: true },
  { name: 'prometheus', kind: 'prometheus', ports: { docker: 9090, native: 9090, host: 9090 }, memoryMb: 256, native: true },
  // Exporters read the dependency itself, not through Toxiproxy: a fault on the proxy is the services' problem, not the database's.
  { name: 'postgres-exporter', kind: 'postgres-exporter', ports: { docker: 9187, native: 29187 }, memoryMb: 64, native: true, dependsOn: ['postgres'], scrapeJob: 'postgres-exporter' },
  { name: 'redis-exporter', kind: 'redis-exporter', ports: { docker: 9121, native: 29121 }, memoryMb: 64, native: true, dependsOn: ['redis'], scrapeJob: 'redis-exporter' },
  { name: 'alertmanager', kind: 'alertmanager', ports: { docker: 9093, native: 9093, host: 9093 }, memoryMb: 64, native: true, scrapeJob: 'alertmanager' },
  { name: 'grafana', kind: 'grafana', ports: { docker: 3000, native: 3000, host: 3000 }, memoryMb: 256, native: false }
]

/** Kafka's KRaft controller listener (one node is both broker and controller). */
export const KAFKA_CONTROLLER_PORT: Ports = { docker: 9093, native: 29093 }

/**
 * Kafka's second broker listener, PROXIED, whose advertised address is the Toxiproxy proxy's: clients
 * bootstrap through the proxy and, told by the metadata to reconnect to the advertised address, stay on
 * it. (A proxy in front of the PLAINTEXT listener alone would be bypassed after the first request.)
 */
export const KAFKA_PROXIED_PORT: Ports = { docker: 9094, native: 29094 }

export const proxies: Proxy[] = [
  { name: 'postgres', upstream: 'postgres', listenPort: 35432 },
  { name: 'redis', upstream: 'redis', listenPort: 36379 },
  { name: 'kafka', upstream: 'kafka', listenPort: 39092, upstreamPorts: KAFKA_PROXIED_PORT },
  // payments → provider (charges), and the provider's signed callbacks → payments.
  { name: 'provider', upstream: 'provider', listenPort: 37501 },
  { name: 'provider-callbacks', upstream: 'payments', listenPort: 37401 }
]

/** The lab's admin credential for the gateway's admin API (Authorization: Bearer …). A lab value, not a secret. */
export const LAB_ADMIN_TOKEN = 'lab-admin-token-change-me'

/** host:port of a component as the services see it in that mode. */
export function address (name: string, mode: Mode): string {
  const component = infra.find((c) => c.name === name)
  if (component !== undefined) return mode === 'docker' ? `${name}:${component.ports.docker}` : `127.0.0.1:${component.ports.native}`
  const service = services.find((s) => s.name === name)
  if (service !== undefined) return mode === 'docker' ? `${name}:${service.port}` : `127.0.0.1:${service.port}`
  throw new Error(`unknown component ${name}`)
}

/** host:port the proxy forwards to, in that mode. */
export function proxyUpstream (proxy: Proxy, mode: Mode): string {
  if (proxy.upstreamPorts === undefined) return address(proxy.upstream, mode)
  return mode === 'docker' ? `${proxy.upstream}:${proxy.upstreamPorts.docker}` : `127.0.0.1:${proxy.upstreamPorts.native}`
}

/** host:port of a dependency through its Toxiproxy proxy. */
export function proxied (name: string, mode: Mode): string {
  const proxy = proxies.find((p) => p.name === name)
  if (proxy === undefined) throw new Error(`no proxy for ${name}`)
  return mode === 'docker' ? `toxiproxy:${proxy.listenPort}` : `127.0.0.1:${proxy.listenPort}`
}

const bindHost = (mode: Mode) => (mode === 'docker' ? '0.0.0.0' : '127.0.0.1')

function catalogReplica (index: number): NodeService {
  const name = `catalog-${index}`
  return {
    name,
    workspace: 'services/catalog',
    port: 7100 + index,
    // Measured: ~160 MB idle, ~290 MB under load (tsx's esbuild child included).
    memoryMb: 320,
    dependsOn: ['postgres', 'redis', 'toxiproxy'],
    env: (mode) => ({
      HOST: bindHost(mode),
      PORT: String(7100 + index),
      INSTANCE_ID: name,
      DATABASE_URL: `postgres://${DB_USER}:${DB_PASSWORD}@${proxied('postgres', mode)}/catalog`,
      REDIS_URL: `redis://${proxied('redis', mode)}`
    })
  }
}

/** Shared by the provider (signs its callbacks) and payments (verifies them). A lab value, not a secret. */
export const PROVIDER_WEBHOOK_SECRET = 'lab-provider-webhook-secret'

const databaseUrl = (name: string, mode: Mode) => `postgres://${DB_USER}:${DB_PASSWORD}@${proxied('postgres', mode)}/${name}`
const serviceUrl = (name: string, mode: Mode) => `http://${address(name, mode)}`

/** A checkout service: one instance, its own database where it owns data. */
function checkoutService (name: string, port: number, dependsOn: string[], env: (mode: Mode) => Record<string, string>): NodeService {
  return {
    name,
    workspace: `services/${name}`,
    port,
    memoryMb: 320,
    dependsOn,
    env: (mode) => ({ HOST: bindHost(mode), PORT: String(port), INSTANCE_ID: name, ...env(mode) })
  }
}

export const services: NodeService[] = [
  catalogReplica(1),
  catalogReplica(2),
  checkoutService('inventory', 7201, ['postgres', 'toxiproxy'], (mode) => ({ DATABASE_URL: databaseUrl('inventory', mode) })),
  checkoutService('provider', 7501, [], () => ({ PROVIDER_WEBHOOK_SECRET })),
  checkoutService('orders', 7301, ['postgres', 'toxiproxy', 'kafka', 'inventory'], (mode) => ({
    DATABASE_URL: databaseUrl('orders', mode),
    KAFKA_BROKERS: proxied('kafka', mode),
    INVENTORY_URL: serviceUrl('inventory', mode)
  })),
  checkoutService('payments', 7401, ['postgres', 'toxiproxy', 'kafka', 'provider'], (mode) => ({
    DATABASE_URL: databaseUrl('payments', mode),
    KAFKA_BROKERS: proxied('kafka', mode),
    PROVIDER_URL: `http://${proxied('provider', mode)}`,
    PROVIDER_WEBHOOK_SECRET,
    // The callback URL payments gives the provider: through Toxiproxy too.
    PUBLIC_URL: `http://${proxied('provider-callbacks', mode)}`
  })),
  checkoutService('notifications', 7601, ['postgres', 'toxiproxy', 'kafka'], (mode) => ({
    DATABASE_URL: databaseUrl('notifications', mode),
    KAFKA_BROKERS: proxied('kafka', mode)
  })),
  {
    name: 'gateway',
    workspace: 'gateway',
    port: 8080,
    hostPort: 8080,
    memoryMb: 384,
    dependsOn: ['redis', 'toxiproxy', 'catalog-1', 'catalog-2', 'inventory', 'orders', 'payments', 'notifications', 'provider'],
    env: (mode) => ({
      HOST: bindHost(mode),
      PORT: '8080',
      INSTANCE_ID: 'gateway',
      REDIS_URL: `redis://${proxied('redis', mode)}`,
      CATALOG_UPSTREAMS: ['catalog-1', 'catalog-2'].map((n) => serviceUrl(n, mode)).join(','),
      INVENTORY_UPSTREAMS: serviceUrl('inventory', mode),
      ORDERS_UPSTREAMS: serviceUrl('orders', mode),
      PAYMENTS_UPSTREAMS: serviceUrl('payments', mode),
      NOTIFICATIONS_UPSTREAMS: serviceUrl('notifications', mode),
      // The admin API (/admin/…): Toxiproxy's faults, the services' flags and switches.
      ADMIN_TOKEN: LAB_ADMIN_TOKEN,
      TOXIPROXY_URL: `http://${address('toxiproxy', mode)}`,
      CHAOS_PROXIES: proxies.map((p) => p.name).join(','),
      PROVIDER_ADMIN_URL: serviceUrl('provider', mode)
    })
  }
]

/** Every HTTP target Prometheus scrapes at /metrics, as host:port for that mode. */
export function scrapeTargets (mode: Mode): Array<{ job: string, instance: string, target: string }> {
  const nodeTargets = services.map((s) => ({ job: s.workspace.split('/').pop() ?? s.name, instance: s.name, target: address(s.name, mode) }))
  const infraTargets = infra.filter((c) => c.scrapeJob !== undefined).map((c) => ({ job: c.scrapeJob ?? c.name, instance: c.name, target: address(c.name, mode) }))
  return [
    ...nodeTargets,
    ...infraTargets,
    { job: 'prometheus', instance: 'prometheus', target: mode === 'docker' ? 'localhost:9090' : address('prometheus', mode) }
  ]
}
