import { DB_PASSWORD, DB_USER, DATABASES } from '../../topology.js'
import type { Component } from '../components/component.js'
import { shortPath, type LabPaths } from '../paths.js'

/** Where to go once the lab is up, for the components that run: one `label  value` line each. */
export function upSummary (running: Component[], paths: LabPaths): Array<[string, string]> {
  const port = (name: string) => running.find((c) => c.name === name)?.port
  const lines: Array<[string, string]> = []
  const add = (name: string, label: string, value: (p: number) => string) => {
    const p = port(name)
    if (p !== undefined) lines.push([label, value(p)])
  }
  add('gateway', 'gateway', (p) => `http://127.0.0.1:${p}`)
  add('prometheus', 'prometheus', (p) => `http://127.0.0.1:${p}`)
  add('alertmanager', 'alertmanager', (p) => `http://127.0.0.1:${p}  (alerts also reach the feed: curl -N 127.0.0.1:8080/feed)`)
  add('toxiproxy', 'toxiproxy API', (p) => `http://127.0.0.1:${p}`)
  add('postgres', 'postgres', (p) => `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${p}/${DATABASES[0]}`)
  add('redis', 'redis', (p) => `redis://127.0.0.1:${p}`)
  add('kafka', 'kafka', (p) => `127.0.0.1:${p}`)
  lines.push(['logs', `${shortPath(paths.logsDir)}/<name>.log  (./lab logs -f [name...])`])
  lines.push(['stop', './lab down  (keeps data; --wipe deletes it)'])
  return lines
}
