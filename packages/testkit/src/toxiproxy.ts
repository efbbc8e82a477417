import { testInfra } from './infra.js'
import { uniqueName } from './names.js'

export type ProxyTarget = 'postgres' | 'redis' | 'kafka'

/** A Toxiproxy proxy in front of a real dependency, to cut it or slow it down from a test. */
export interface TestProxy {
  name: string
  /** host:port to connect to instead of the dependency. */
  address: string
  disable: () => Promise<void>
  enable: () => Promise<void>
  /** Adds latency (ms) to everything the dependency sends back. */
  setLatency: (ms: number) => Promise<void>
  /** Removes every toxic and enables the proxy. */
  reset: () => Promise<void>
  remove: () => Promise<void>
}

async function api (path: string, init: { method: string, body?: unknown }): Promise<unknown> {
  const res = await fetch(`${testInfra().toxiproxy.apiUrl}${path}`, {
    method: init.method,
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body)
  })
  if (!res.ok && res.status !== 404) throw new Error(`toxiproxy ${init.method} ${path}: ${res.status} ${await res.text()}`)
  return res.status === 204 ? undefined : await res.json().catch(() => undefined)
}

export async function createProxy (target: ProxyTarget): Promise<TestProxy> {
  const { listenHost, upstreams, portMap } = testInfra().toxiproxy
  const name = uniqueName(`t_${target}`)
  const address = portMap === undefined
    ? await listenOnFreePort(name, listenHost, upstreams[target])
    : await listenOnMappedPort(name, listenHost, upstreams[target], portMap)
  const setEnabled = async (enabled: boolean) => { await api(`/proxies/${name}`, { method: 'POST', body: { enabled } }) }
  return {
    name,
    address,
    disable: async () => { await setEnabled(false) },
    enable: async () => { await setEnabled(true) },
    setLatency: async (ms) => {
      await api(`/proxies/${name}/toxics/latency`, { method: 'DELETE' })
      await api(`/proxies/${name}/toxics`, { method: 'POST', body: { name: 'latency', type: 'latency', stream: 'downstream', attributes: { latency: ms, jitter: 0 } } })
    },
    reset: async () => {
      const toxics = await api(`/proxies/${name}/toxics`, { method: 'GET' }) as Array<{ name: string }> | undefined
      for (const t of toxics ?? []) await api(`/proxies/${name}/toxics/${t.name}`, { method: 'DELETE' })
      await setEnabled(true)
    },
    remove: async () => { await api(`/proxies/${name}`, { method: 'DELETE' }) }
  }
}

/** Native: port 0 lets Toxiproxy pick a free port; it answers with the address it listens on. */
async function listenOnFreePort (name: string, host: string, upstream: string): Promise<string> {
  const created = await api('/proxies', { method: 'POST', body: { name, listen: `${host}:0`, upstream, enabled: true } }) as { listen: string }
  return `${host}:${created.listen.split(':').pop() ?? ''}`
}

/** Docker: only the container ports published up front are reachable; take a free one of those. */
async function listenOnMappedPort (name: string, host: string, upstream: string, portMap: Record<string, number>): Promise<string> {
  const candidates = Object.keys(portMap).sort(() => Math.random() - 0.5)
  for (const containerPort of candidates) {
    const res = await fetch(`${testInfra().toxiproxy.apiUrl}/proxies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, listen: `0.0.0.0:${containerPort}`, upstream, enabled: true })
    })
    if (res.ok) return `${host}:${portMap[containerPort] ?? ''}`
  }
  throw new Error('no free Toxiproxy port left in the container')
}
