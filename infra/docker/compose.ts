import { infra, services, type NodeService } from '../topology.js'
import { dependsOn, healthcheck, publish, VOLUMES, type ComposeFile, type ComposeService } from './compose-spec.js'
import { infraContainer } from './infra-containers.js'
import { k6Container } from './k6.js'

/** Asks the service's own readiness endpoint with the `node` that runs it (slim images have no curl). */
export function nodeReadinessProbe (port: number): string[] {
  return ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))`]
}

function nodeContainer (service: NodeService): ComposeService {
  return {
    // One Dockerfile for every service, told which workspace to deploy; the build context is the
    // repository root: the image needs the lockfile and the shared packages.
    build: { context: '.', dockerfile: 'Dockerfile', args: { WORKSPACE: service.workspace } },
    environment: service.env('docker'),
    ports: publish(service.hostPort, service.port),
    depends_on: dependsOn(service.dependsOn),
    // Readiness waits for the service's dependencies and its boot work (the catalog seeds its database).
    healthcheck: healthcheck(nodeReadinessProbe(service.port), { start_period: '30s' }),
    mem_limit: `${service.memoryMb}m`,
    restart: 'unless-stopped',
    // tini as PID 1: reaps zombies and forwards SIGTERM, so the service drains (@lab/platform serve()).
    init: true,
    // Longer than serve()'s 10 s grace, so Docker does not SIGKILL a service that is still draining.
    stop_grace_period: '15s'
  }
}

/** docker-compose.yml as an object: every infra component, then every Node service of the topology. */
export function composeFile (): ComposeFile {
  const entries: Array<[string, ComposeService]> = [
    ...infra.map((c): [string, ComposeService] => [c.name, tidy(infraContainer(c))]),
    ...services.map((s): [string, ComposeService] => [s.name, tidy(nodeContainer(s))]),
    ['k6', tidy(k6Container())]
  ]
  const file: ComposeFile = {
    services: Object.fromEntries(entries),
    volumes: { [VOLUMES.postgres]: {}, [VOLUMES.kafka]: {} }
  }
  assertNoInterpolation(file)
  return file
}

/** The order keys appear in docker-compose.yml, for a file that reads the same for every service. */
const KEY_ORDER: Array<keyof ComposeService> = ['image', 'build', 'command', 'environment', 'ports', 'volumes', 'depends_on',
  'healthcheck', 'mem_limit', 'restart', 'init', 'stop_grace_period', 'profiles']

function tidy (service: ComposeService): ComposeService {
  const entries = KEY_ORDER.filter((key) => service[key] !== undefined).map((key) => [key, service[key]])
  return Object.fromEntries(entries) as ComposeService
}

/** Compose interpolates `$VAR` in every value; the lab's values are literal, so a `$` would be a bug. */
function assertNoInterpolation (value: unknown, path = ''): void {
  if (typeof value === 'string' && value.includes('$')) throw new Error(`"$" in the compose value at ${path}: Compose would interpolate it`)
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) assertNoInterpolation(inner, `${path}.${key}`)
  }
}
