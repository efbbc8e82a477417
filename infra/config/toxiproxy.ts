import { proxies, proxyUpstream, type Mode } from '../topology.js'

export interface ToxiproxyDefinition {
  name: string
  listen: string
  upstream: string
  enabled: boolean
}

/** The proxies Toxiproxy creates at start (`-config` file), for a mode. */
export function toxiproxyConfig (mode: Mode): ToxiproxyDefinition[] {
  const host = mode === 'docker' ? '0.0.0.0' : '127.0.0.1'
  return proxies.map((p) => ({ name: p.name, listen: `${host}:${p.listenPort}`, upstream: proxyUpstream(p, mode), enabled: true }))
}
