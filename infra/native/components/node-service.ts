import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { NodeService } from '../../topology.js'
import { inheritedEnv, repoRoot } from '../config.js'
import { httpOk } from '../probes.js'
import type { Component } from './component.js'

const ENTRY = 'src/server.ts'

/** One of the lab's Fastify services, run from its TypeScript sources with tsx. */
export function nodeServiceComponent (service: NodeService): Component {
  const cwd = join(repoRoot, service.workspace)
  return {
    name: service.name,
    kind: 'service',
    port: service.port,
    dependsOn: service.dependsOn,
    marker: ENTRY,
    // The first boot of catalog migrates and seeds a large dataset.
    startTimeoutMs: 180_000,
    // The service drains on SIGTERM (close-with-grace in @lab/platform's serve()).
    stop: { signal: 'SIGTERM', toGroup: true, timeoutMs: 15_000 },
    healthy: async () => await httpOk(`http://127.0.0.1:${service.port}/health/ready`, 2000),
    prepare: async () => {
      if (!existsSync(join(cwd, ENTRY))) throw new Error(`${service.name}: ${join(service.workspace, ENTRY)} does not exist`)
    },
    spawnSpec: () => ({
      name: service.name,
      command: process.execPath,
      args: ['--import', 'tsx', ENTRY],
      cwd,
      env: { ...inheritedEnv(), ...service.env('native'), LOG_LEVEL: 'info' }
    })
  }
}
