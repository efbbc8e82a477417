import type { GatewayConfig } from '../config.js'
import { AdminTargetUnavailableError, UnknownInstanceError } from './errors.js'

/** One instance of a service whose admin routes the gateway fronts. */
export interface AdminTarget {
  service: string
  /** `catalog-1`, `catalog-2` for a replicated upstream (in CATALOG_UPSTREAMS' order), else the service's name. */
  instance: string
  url: string
}

/** The services the gateway routes to, configured or not, in a fixed order. */
export const UPSTREAM_NAMES = ['catalog', 'inventory', 'orders', 'payments', 'notifications'] as const

export function configuredUpstreams (config: GatewayConfig): Record<string, string> {
  const urls: Record<string, string | undefined> = {
    catalog: config.CATALOG_UPSTREAMS,
    inventory: config.INVENTORY_UPSTREAMS,
    orders: config.ORDERS_UPSTREAMS,
    payments: config.PAYMENTS_UPSTREAMS,
    notifications: config.NOTIFICATIONS_UPSTREAMS
  }
  return Object.fromEntries(Object.entries(urls).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

/** Every instance with admin routes: the upstreams' replicas and the provider. */
export function adminTargets (config: GatewayConfig): AdminTarget[] {
  const targets: AdminTarget[] = []
  for (const [service, list] of Object.entries(configuredUpstreams(config))) {
    const urls = list.split(',')
    urls.forEach((url, i) => { targets.push({ service, instance: urls.length > 1 ? `${service}-${i + 1}` : service, url }) })
  }
  if (config.PROVIDER_ADMIN_URL !== undefined) targets.push({ service: 'provider', instance: 'provider', url: config.PROVIDER_ADMIN_URL })
  return targets
}

/** The instances a request means: all of the service's, or the one named by `?instance=`. */
export function selectTargets (targets: AdminTarget[], service: string, instance?: string): AdminTarget[] {
  const ofService = targets.filter((t) => t.service === service)
  if (instance === undefined) return ofService
  const one = ofService.filter((t) => t.instance === instance)
  if (one.length === 0) throw new UnknownInstanceError(instance, ofService.map((t) => t.instance).join(', '))
  return one
}

export interface AdminAnswer {
  statusCode: number
  body: unknown
}

const TIMEOUT_MS = 2000

/** One call to an instance's own admin route; a 404 means the service has not adopted that route. */
export async function callAdmin (target: AdminTarget, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<AdminAnswer> {
  let res: Response
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS)
    })
  } catch (err) {
    throw new AdminTargetUnavailableError(target.instance, err instanceof Error ? err.message : String(err))
  }
  return { statusCode: res.status, body: await res.json().catch(() => null) }
}
