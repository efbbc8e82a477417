import { setTimeout as sleep } from 'node:timers/promises'
import { repoRoot } from '../native/config.js'
import { infra, services } from '../topology.js'
import { exec, tail } from './engine/exec.js'
import { GENERATED_PATHS } from './paths.js'

export type ComposeVerb = 'stop' | 'kill' | 'start' | 'restart'

/**
 * `docker compose <args>` on the lab's project: the repository's compose file, from the repository
 * root, so the project name is the one `docker compose up` gave it there. Stop, kill and start need
 * no override; `up` and `down` for the tests name docker-compose.test.yml too (composeFiles).
 */
export async function compose (args: string[], options: { files?: string[], timeoutMs?: number, onLine?: (line: string) => void } = {}) {
  const files = (options.files ?? [GENERATED_PATHS.compose]).flatMap((f) => ['-f', f])
  return await exec('docker', ['compose', ...files, ...args], { cwd: repoRoot, env: BUILD_ENV, timeoutMs: options.timeoutMs ?? 600_000, ...(options.onLine === undefined ? {} : { onLine: options.onLine }) })
}

/**
 * Builds with the classic builder: BuildKit wants its frontend image from a registry, and the Compose
 * plugin built here has no buildx beside it. Slower caching, same images.
 */
export const BUILD_ENV = { DOCKER_BUILDKIT: '0', COMPOSE_BAKE: 'false' }

/** The files of the Docker-mode test stack: the user's compose file and the test override. */
export const TEST_COMPOSE_FILES = [GENERATED_PATHS.compose, GENERATED_PATHS.composeTest]

async function containerId (service: string): Promise<string | undefined> {
  const result = await compose(['ps', '-a', '-q', service])
  const id = result.stdout.trim().split('\n')[0]
  return result.code === 0 && id !== undefined && id !== '' ? id : undefined
}

/** running / exited / … and the healthcheck's verdict (healthy, unhealthy, starting, or none). */
export async function containerState (service: string): Promise<{ status: string, health: string } | undefined> {
  const id = await containerId(service)
  if (id === undefined) return undefined
  const result = await exec('docker', ['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', id])
  const [status = 'unknown', health = 'none'] = result.stdout.trim().split(' ')
  return { status, health }
}

export async function waitHealthy (service: string, timeoutMs = 180_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const state = await containerState(service)
    if (state?.status === 'running' && (state.health === 'healthy' || state.health === 'none')) return
    await sleep(500)
  }
  throw new Error(`${service}: not healthy within ${timeoutMs / 1000} s (${JSON.stringify(await containerState(service))})`)
}

/**
 * Process faults the Docker way: stop = `docker compose stop` (SIGTERM, then SIGKILL after the
 * service's grace period), kill = `docker compose kill -s SIGKILL` (a crash), start = `docker compose
 * start` then wait for its healthcheck, restart = stop then start.
 */
export async function composeProcessFault (verb: ComposeVerb, service: string, log: (line: string) => void): Promise<void> {
  if (await containerId(service) === undefined) throw new Error(`no container for ${service} in the Compose project (is the Docker lab up? docker compose ps)`)
  const started = performance.now()
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
  const run = async (args: string[]) => {
    const result = await compose(args)
    if (result.code !== 0) throw new Error(`docker compose ${args.join(' ')} failed:\n${tail(result)}`)
  }
  if (verb === 'stop' || verb === 'restart') {
    await run(['stop', service])
    log(`${service}: stopped (docker compose stop) in ${seconds()} s`)
  }
  if (verb === 'kill') {
    await run(['kill', '-s', 'SIGKILL', service])
    log(`${service}: killed (docker compose kill -s SIGKILL); bring it back with ./lab chaos --docker start ${service}`)
  }
  if (verb === 'start' || verb === 'restart') {
    const from = performance.now()
    await run(['start', service])
    await waitHealthy(service)
    log(`${service}: healthy ${((performance.now() - from) / 1000).toFixed(1)} s after the start`)
  }
}

/** When the service's container last stopped or died, as the engine recorded it (ms since the epoch). */
export async function containerFinishedAt (service: string): Promise<number | undefined> {
  const id = await containerId(service)
  if (id === undefined) return undefined
  const at = Date.parse((await exec('docker', ['inspect', '--format', '{{.State.FinishedAt}}', id])).stdout.trim())
  return Number.isFinite(at) && at > 0 ? at : undefined
}

/** True while the service's container runs (the Docker counterpart of a live PID). */
export async function containerRunning (service: string): Promise<boolean> {
  return (await containerState(service))?.status === 'running'
}

/**
 * The project's long-running services (Grafana and k6 aside: never run here), and which of them are
 * not running or not healthy; undefined when the project has no container at all (no Docker lab).
 */
export async function composeServicesStatus (): Promise<{ total: number, down: string[], unhealthy: string[] } | undefined> {
  const result = await compose(['ps', '-a', '--format', '{{.Service}}\t{{.State}}\t{{.Health}}'])
  if (result.code !== 0) return undefined
  const rows = result.stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.split('\t'))
  if (rows.length === 0) return undefined
  const states = new Map(rows.map(([service = '', state = '', health = '']) => [service, { state, health }]))
  const names = [...infra.filter((c) => c.native).map((c) => c.name), ...services.map((s) => s.name)]
  return {
    total: names.length,
    down: names.filter((n) => states.get(n)?.state !== 'running'),
    unhealthy: names.filter((n) => states.get(n)?.state === 'running' && states.get(n)?.health === 'unhealthy')
  }
}
