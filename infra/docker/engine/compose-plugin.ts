import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { exec, tail } from './exec.js'

/** Compose v5: the newest line that builds from the Go module proxy (v2 ≥ 2.36 does not `go install`). */
export const COMPOSE_VERSION = 'v5.6.0'

export async function composeVersion (): Promise<string | undefined> {
  const result = await exec('docker', ['compose', 'version', '--short'], { timeoutMs: 15_000 })
  return result.code === 0 ? result.stdout.trim() : undefined
}

/**
 * The Compose plugin, where the machine's docker has none: built once from the Go module proxy into
 * the cache (about 1.5 min on 2 cores), then copied where the docker client looks for plugins.
 * @see https://docs.docker.com/compose/install/linux/#install-the-plugin-manually
 */
export async function ensureComposePlugin (cache: string, log: (line: string) => void): Promise<string> {
  const present = await composeVersion()
  if (present !== undefined) return present
  const binary = join(cache, `docker-compose-${COMPOSE_VERSION}`)
  if (!existsSync(binary)) {
    if ((await exec('go', ['version'])).code !== 0) throw new Error('the Docker Compose plugin is missing and Go is not installed to build it (install Docker Compose: https://docs.docker.com/compose/install/)')
    log(`building the Docker Compose plugin ${COMPOSE_VERSION} from the Go module proxy (first time only, about 1.5 min)`)
    const module = join(cache, 'compose-build')
    mkdirSync(module, { recursive: true })
    if (!existsSync(join(module, 'go.mod'))) await exec('go', ['mod', 'init', 'lab-compose-build'], { cwd: module })
    const get = await exec('go', ['get', '-tool', `github.com/docker/compose/v5/cmd@${COMPOSE_VERSION}`], { cwd: module })
    if (get.code !== 0) throw new Error(`go get docker compose ${COMPOSE_VERSION} failed:\n${tail(get)}`)
    const build = await exec('go', ['build', '-trimpath', '-ldflags', `-X github.com/docker/compose/v5/internal.Version=${COMPOSE_VERSION}`, '-o', binary, 'github.com/docker/compose/v5/cmd'], { cwd: module, env: { CGO_ENABLED: '0' } })
    if (build.code !== 0) throw new Error(`building docker compose ${COMPOSE_VERSION} failed:\n${tail(build)}`)
  }
  const pluginDir = process.getuid?.() === 0 ? '/usr/local/lib/docker/cli-plugins' : join(homedir(), '.docker', 'cli-plugins')
  mkdirSync(pluginDir, { recursive: true })
  copyFileSync(binary, join(pluginDir, 'docker-compose'))
  await exec('chmod', ['755', join(pluginDir, 'docker-compose')])
  const version = await composeVersion()
  if (version === undefined) throw new Error(`the Compose plugin in ${pluginDir} does not run`)
  log(`Docker Compose ${version} installed in ${pluginDir}`)
  return version
}
