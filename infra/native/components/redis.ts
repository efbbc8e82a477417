import { mkdirSync } from 'node:fs'
import type { LabPaths } from '../paths.js'
import { redisPing } from '../probes.js'
import type { Component } from './component.js'

/** Redis as a pure cache: no snapshots, no append-only file; its data dir only holds its working files. */
export function redisComponent (paths: LabPaths, port: number): Component {
  const dataDir = paths.data('redis')
  return {
    name: 'redis',
    kind: 'infra',
    port,
    dependsOn: [],
    marker: 'redis-server',
    startTimeoutMs: 10_000,
    stop: { signal: 'SIGTERM', toGroup: true, timeoutMs: 10_000 },
    healthy: async () => await redisPing(port),
    prepare: async () => { mkdirSync(dataDir, { recursive: true }) },
    spawnSpec: () => ({
      name: 'redis',
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
      cwd: dataDir
    })
  }
}
