import { infra, KAFKA_CONTROLLER_PORT, KAFKA_PROXIED_PORT, proxied, proxies, services } from '../topology.js'
import type { ComposeService } from './compose-spec.js'

/** The Kafka listener for clients on the host (the tests), published on its native port. */
export const KAFKA_HOST_LISTENER = 'HOST'

/** Services the test run leaves out: Grafana and k6 are AGPL and never run on our machines. */
export const NOT_RUN_HERE = ['grafana', 'k6'] as const

/** The profile that keeps them out of `docker compose up` with this override. */
export const AGPL_PROFILE = 'agpl-not-run-here'

type OverrideService = Partial<Pick<ComposeService, 'ports' | 'environment' | 'profiles'>> & { build?: { network: string } }

/**
 * docker-compose.test.yml: what the Docker-mode tests add to the user's compose file, and only that.
 * The databases, brokers and services stay private in docker-compose.yml; here each is also published
 * on 127.0.0.1 at its native port, so the tests (and the experiments, which read infra/topology.ts'
 * native addresses) reach what they inspect the same way in both modes. Kafka gets a third listener
 * advertised as 127.0.0.1, and Toxiproxy's proxies are published too. Builds use the host network (our engine has no default bridge, and
 * the build's pnpm reaches the npm registry). Grafana and k6 go under a profile nobody asks for.
 */
export function composeTestOverride (): { services: Record<string, OverrideService> } {
  const entries: Array<[string, OverrideService]> = []
  for (const component of infra) {
    if ((NOT_RUN_HERE as readonly string[]).includes(component.name)) continue
    if (component.kind === 'toxiproxy') {
      // Its proxies, for processes the tests start on the host with the native environment (experiment 8's gateways).
      entries.push([component.name, { ports: proxies.map((p) => `127.0.0.1:${p.listenPort}:${p.listenPort}`) }])
      continue
    }
    if (component.ports.host === component.ports.native) continue // published already, on the same port
    const port = `127.0.0.1:${component.ports.native}:${component.kind === 'kafka' ? component.ports.native : component.ports.docker}`
    entries.push([component.name, { ports: [port], ...(component.kind === 'kafka' ? { environment: kafkaHostListener(component.ports.docker, component.ports.native) } : {}) }])
  }
  const ownEngine = composeOwnEngineOverride().services
  for (const service of services) {
    entries.push([service.name, {
      ...ownEngine[service.name],
      ...(service.hostPort === service.port ? {} : { ports: [`127.0.0.1:${service.port}:${service.port}`] })
    }])
  }
  for (const name of NOT_RUN_HERE) entries.push([name, ownEngine[name] ?? {}])
  return { services: Object.fromEntries(entries) }
}

/**
 * docker-compose.override.yml, written by `./lab docker prepare` only when it runs the lab's own engine
 * (infra/docker/own-engine-override.ts): what a plain `docker compose up --build` needs there and
 * nothing else. The lab's images build on the host network (that engine has no default bridge, and the
 * build's pnpm reaches the npm registry), and Grafana and k6 (AGPL, never run on our machines) go under
 * a profile nobody asks for. Compose reads the file by itself when no -f is given.
 */
export function composeOwnEngineOverride (): { services: Record<string, OverrideService> } {
  return {
    services: Object.fromEntries([
      ...services.map((service): [string, OverrideService] => [service.name, { build: { network: 'host' } }]),
      ...NOT_RUN_HERE.map((name): [string, OverrideService] => [name, { profiles: [AGPL_PROFILE] }])
    ])
  }
}

/** The compose file's Kafka listeners plus HOST, on the native port inside and out, advertised as 127.0.0.1. */
function kafkaHostListener (dockerPort: number, nativePort: number): Record<string, string> {
  return {
    KAFKA_LISTENERS: `PLAINTEXT://:${dockerPort},PROXIED://:${KAFKA_PROXIED_PORT.docker},CONTROLLER://:${KAFKA_CONTROLLER_PORT.docker},${KAFKA_HOST_LISTENER}://:${nativePort}`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://kafka:${dockerPort},PROXIED://${proxied('kafka', 'docker')},${KAFKA_HOST_LISTENER}://127.0.0.1:${nativePort}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT,${KAFKA_HOST_LISTENER}:PLAINTEXT`
  }
}
