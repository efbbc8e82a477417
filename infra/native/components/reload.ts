import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * For a daemon that is already running (Prometheus, Alertmanager): writes its generated config when
 * it changed and asks it to reload (POST /-/reload), so `./lab up -d` after a change of the topology
 * or of the alert rules takes effect without a restart. A config the daemon refuses is an error
 * naming the daemon's answer; the daemon keeps running on the previous one.
 * @see https://prometheus.io/docs/prometheus/latest/management_api/#reload
 */
export async function writeAndReload (file: string, content: string, reloadUrl: string): Promise<void> {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== content) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  // Always: the rules live in the repository and may have changed without the config file.
  const response = await fetch(reloadUrl, { method: 'POST', signal: AbortSignal.timeout(10_000) })
  const body = await response.text()
  if (!response.ok) throw new Error(`${reloadUrl} refused the configuration in ${file}: ${response.status} ${body.trim()}`)
}
