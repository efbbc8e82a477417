import { address, services } from '../../infra/topology.js'
import { loadInventoryConfig } from '../../services/inventory/src/config.js'
import { loadOrdersConfig } from '../../services/orders/src/config.js'
import { orderTopics } from '../../services/orders/src/topics.js'
import { mapConcurrently } from './stock.js'

const serviceEnv = (name: string) => {
  const service = services.find((s) => s.name === name)
  if (service === undefined) throw new Error(`the topology has no ${name} (is the checkout in infra/topology.ts yet?)`)
  return service.env('native')
}

/** The checkout as the lab runs it: the services' URLs, inventory's seeded products, orders' topics. */
export function labCheckout () {
  const url = (name: string) => `http://${address(name, 'native')}`
  return {
    inventory: url('inventory'),
    orders: url('orders'),
    payments: url('payments'),
    provider: url('provider'),
    seededProducts: loadInventoryConfig(serviceEnv('inventory')).SEED_ITEMS,
    topics: orderTopics(loadOrdersConfig(serviceEnv('orders')))
  }
}

/** Fails unless every named service of the lab answers its readiness check. */
export async function requireReady (urls: Record<string, string>): Promise<void> {
  const down: string[] = []
  await mapConcurrently(Object.entries(urls), 8, async ([name, url]) => {
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(10_000) })
      await response.body?.cancel()
      if (!response.ok) down.push(`${name} (${url}: ${response.status})`)
    } catch (err) {
      down.push(`${name} (${url}: ${(err as Error).message})`)
    }
  })
  if (down.length > 0) throw new Error(`not ready: ${down.join(', ')}; start the lab with ./lab up -d`)
}

/** Each order's status as orders has it (for orders whose final event the bench did not see). */
export async function orderStatuses (ordersUrl: string, ids: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  await mapConcurrently(ids, 8, async (id) => {
    let status: string
    try {
      const response = await fetch(`${ordersUrl}/orders/${id}`, { signal: AbortSignal.timeout(5000) })
      status = response.ok ? ((await response.json()) as { status: string }).status : `HTTP ${response.status}`
    } catch (err) {
      status = (err as Error).message
    }
    counts[status] = (counts[status] ?? 0) + 1
  })
  return counts
}
