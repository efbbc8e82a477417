import { startService, tempDatabase, uniqueName, type ServiceProcess, type TestDatabase } from '@lab/testkit'

export interface Stock { productId: number, available: number, reserved: number, priceCents: number, version: number }

/** The real inventory service in its own process, on its own database: orders reaches it over HTTP, as in the lab. */
export interface Inventory {
  /** http://127.0.0.1:<port>; the same across stop() and restart(). */
  url: string
  /** Inventory's own database, for a test's assertions on what inventory stored (reservations). */
  db: TestDatabase
  /** Inventory "down": its process stops (connections refused); its database stays. */
  stop: () => Promise<void>
  /** Up again, on the same port and database. */
  restart: () => Promise<void>
  stock: (productId: number) => Promise<Stock>
  /** Sets the sellable units (and the unit price) of a product. */
  setStock: (productId: number, available: number, priceCents?: number) => Promise<void>
}

/**
 * Products 1..20 with 100 units each. `databaseAddress`: host:port to reach Postgres through (a
 * Toxiproxy proxy, to slow inventory down). Stopped and its database dropped by registerTeardown.
 */
export async function startInventory ({ databaseAddress }: { databaseAddress?: string } = {}): Promise<Inventory> {
  const db = await tempDatabase('orders_inventory')
  const databaseUrl = new URL(db.url)
  if (databaseAddress !== undefined) databaseUrl.host = databaseAddress
  const inventory = await startService('inventory', {
    INSTANCE_ID: uniqueName('inventory-for-orders'),
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl.toString(),
    SEED_ITEMS: '20',
    SEED_STOCK: '100'
  })
  return {
    url: inventory.url,
    db,
    stop: inventory.stop,
    restart: inventory.start,
    stock: async (productId) => await call(inventory, 'GET', `/stock/${productId}`) as Stock,
    setStock: async (productId, available, priceCents = 1250) => { await call(inventory, 'PUT', `/stock/${productId}`, { available, priceCents }) }
  }
}

async function call (inventory: ServiceProcess, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${inventory.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  if (!res.ok) throw new Error(`inventory ${method} ${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}
