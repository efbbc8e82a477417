import { Registry } from 'prom-client'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
// The real inventory service, in-process on its own database: orders talks to it over HTTP, as in the lab.
import { buildApp as buildInventoryApp } from '../../inventory/src/app.js'
import { loadInventoryConfig, type InventoryConfig } from '../../inventory/src/config.js'

export interface Stock { productId: number, available: number, reserved: number, priceCents: number, version: number }

/** A real inventory: products 1..20 with 100 units each, listening on 127.0.0.1. */
export class InventoryUnderTest {
  #app: LabApp | undefined
  #port = 0

  private constructor (readonly db: TestDatabase, private readonly config: InventoryConfig) {}

  /** `databaseAddress`: host:port to reach Postgres through (a Toxiproxy proxy, to slow inventory down). */
  static async start ({ databaseAddress }: { databaseAddress?: string } = {}): Promise<InventoryUnderTest> {
    const db = await createDatabase('orders_inventory')
    const url = new URL(db.url)
    if (databaseAddress !== undefined) url.host = databaseAddress
    const inventory = new InventoryUnderTest(db, loadInventoryConfig({ LOG_LEVEL: 'error', DATABASE_URL: url.toString(), SEED_ITEMS: '20', SEED_STOCK: '100' }))
    await inventory.restart()
    return inventory
  }

  /** http://127.0.0.1:<port>; the same across stop() and restart(). */
  get url (): string { return `http://127.0.0.1:${this.#port}` }

  /** Inventory "down": its server stops (connections refused); its database stays. */
  async stop (): Promise<void> {
    await this.#app?.close()
    this.#app = undefined
  }

  /** Up again, on the same port and database. */
  async restart (): Promise<void> {
    const app = await buildInventoryApp(this.config, { registry: new Registry() })
    await app.listen({ host: '127.0.0.1', port: this.#port })
    this.#port = (app.server.address() as { port: number }).port
    this.#app = app
  }

  async close (): Promise<void> {
    await this.stop()
    await this.db.drop()
  }

  async stock (productId: number): Promise<Stock> {
    return await this.#call('GET', `/stock/${productId}`) as Stock
  }

  /** Sets the sellable units (and the unit price) of a product. */
  async setStock (productId: number, available: number, priceCents = 1250): Promise<void> {
    await this.#call('PUT', `/stock/${productId}`, { available, priceCents })
  }

  async #call (method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    if (!res.ok) throw new Error(`inventory ${method} ${path}: ${res.status} ${await res.text()}`)
    return await res.json()
  }
}
