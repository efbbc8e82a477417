import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { toxiproxyConfig } from '../../config/toxiproxy.js'
import { inheritedEnv } from '../config.js'
import type { LabPaths } from '../paths.js'
import { httpOk } from '../probes.js'
import type { Component } from './component.js'

/**
 * Toxiproxy, with the topology's proxies created at start from a `-config` file.
 * @see https://github.com/Shopify/toxiproxy#2-populating-toxiproxy
 */
export function toxiproxyComponent (paths: LabPaths, port: number): Component {
  const configFile = paths.config('toxiproxy.json')
  return {
    name: 'toxiproxy',
    kind: 'infra',
    port,
    dependsOn: [],
    marker: 'toxiproxy-server',
    startTimeoutMs: 10_000,
    stop: { signal: 'SIGTERM', toGroup: true, timeoutMs: 10_000 },
    healthy: async () => await httpOk(`http://127.0.0.1:${port}/version`),
    // A Toxiproxy started before a proxy was added to the topology gets it now (409: it has it already).
    afterHealthy: async () => {
      for (const proxy of toxiproxyConfig('native')) {
        const res = await fetch(`http://127.0.0.1:${port}/proxies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(proxy) })
        if (!res.ok && res.status !== 409) throw new Error(`toxiproxy: creating proxy ${proxy.name}: ${res.status} ${await res.text()}`)
      }
    },
    prepare: async () => {
      if (!existsSync(paths.toxiproxyServer)) throw new Error(`${paths.toxiproxyServer} is missing: run infra/native/install-system.sh`)
      mkdirSync(paths.configDir, { recursive: true })
      writeFileSync(configFile, `${JSON.stringify(toxiproxyConfig('native'), null, 2)}\n`)
    },
    spawnSpec: () => ({
      name: 'toxiproxy',
      command: paths.toxiproxyServer,
      args: ['-host', '127.0.0.1', '-port', String(port), '-config', configFile],
      // Its default logs every API call and connection at debug/trace level.
      env: { ...inheritedEnv(), LOG_LEVEL: 'info' }
    })
  }
}
