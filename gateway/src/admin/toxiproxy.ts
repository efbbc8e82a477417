import { ToxiproxyUnavailableError } from './errors.js'

export type ToxicType = 'latency' | 'timeout' | 'reset_peer' | 'bandwidth'

export interface Toxic {
  name: string
  type: string
  stream: 'upstream' | 'downstream'
  toxicity: number
  attributes: Record<string, number>
}

export interface ProxyState {
  name: string
  listen: string
  upstream: string
  enabled: boolean
  toxics: Toxic[]
}

export interface ToxicSpec {
  type: ToxicType
  attributes: Record<string, number>
}

export interface ToxiproxyClient {
  proxies: () => Promise<ProxyState[]>
  setEnabled: (proxy: string, enabled: boolean) => Promise<void>
  /** One toxic of a type per proxy (named `lab-<type>`): applying it again replaces it. */
  applyToxic: (proxy: string, spec: ToxicSpec) => Promise<void>
  /** Every toxic removed and the proxy enabled: the dependency is reachable as if Toxiproxy were not there. */
  heal: (proxy: string) => Promise<void>
}

const TIMEOUT_MS = 2000

/**
 * Toxiproxy's HTTP API, as the admin API uses it. Toxics go on the downstream (what the dependency
 * sends back), as a slow or broken dependency looks to its client.
 * @see https://github.com/Shopify/toxiproxy#http-api
 */
export function createToxiproxyClient (baseUrl: string): ToxiproxyClient {
  async function call (method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS)
      })
    } catch (err) {
      throw new ToxiproxyUnavailableError(err instanceof Error ? err.message : String(err))
    }
    // 404 on DELETE of a toxic that is not there: already healed.
    if (res.status === 404 && method === 'DELETE') return undefined
    if (!res.ok) throw new ToxiproxyUnavailableError(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.status === 204 ? undefined : await res.json()
  }
  const toxicsOf = async (proxy: string) => await call('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`) as Toxic[]
  const removeToxic = async (proxy: string, toxic: string) => { await call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`) }
  const setEnabled = async (proxy: string, enabled: boolean) => { await call('POST', `/proxies/${encodeURIComponent(proxy)}`, { enabled }) }
  return {
    proxies: async () => Object.values(await call('GET', '/proxies') as Record<string, ProxyState>),
    setEnabled,
    applyToxic: async (proxy, spec) => {
      const name = `lab-${spec.type}`
      await removeToxic(proxy, name)
      await call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, { name, type: spec.type, stream: 'downstream', toxicity: 1, attributes: spec.attributes })
    },
    heal: async (proxy) => {
      for (const toxic of await toxicsOf(proxy)) await removeToxic(proxy, toxic.name)
      await setEnabled(proxy, true)
    }
  }
}
