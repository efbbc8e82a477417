import { describe, expect, it } from 'vitest'
import { exec } from '../../infra/docker/engine/exec.js'
import { repoRoot } from '../../infra/native/config.js'
import { NOT_RUN_HERE } from '../../infra/docker/compose-test.js'
import { services } from '../../infra/topology.js'
import { ownEnginePid } from '../../infra/docker/engine/engine.js'

/**
 * Docker mode: the README's plain `docker compose up --build -d` (no -f) on this engine reads the
 * docker-compose.override.yml that ./lab docker prepare wrote for the lab's own engine: images built on
 * the host network, Grafana and k6 left out. `docker compose config` is what Compose would run.
 */
async function plainConfig (): Promise<Record<string, { build?: { network?: string } }>> {
  const result = await exec('docker', ['compose', 'config', '--format', 'json'], { cwd: repoRoot, timeoutMs: 60_000 })
  expect(result.code, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as { services: Record<string, { build?: { network?: string } }> }).services
}

describe('Docker mode: the README\'s plain `docker compose up --build`', () => {
  // Which engine runs the tests is prepare's choice (the user's when one answers), not this test's.
  const ownEngine = ownEnginePid() !== undefined
  it(ownEngine
    ? 'on the lab\'s own engine: builds every lab image on the host network and starts no AGPL service'
    : 'on your Docker: is the compose file as committed, Grafana included, with no override of the lab\'s', async () => {
    const config = await plainConfig()
    for (const service of services) expect(config[service.name]?.build?.network, service.name).toBe(ownEngine ? 'host' : undefined)
    for (const name of NOT_RUN_HERE) expect(Object.keys(config).includes(name), name).toBe(!ownEngine)
  })
})
