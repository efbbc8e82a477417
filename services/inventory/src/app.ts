import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import type { InventoryConfig } from './config.js'
import { createInventoryMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { inventoryPlugin } from './plugins/inventory.js'
import { reservationRoutes } from './routes/reservations.js'
import { stockRoutes } from './routes/stock.js'
import { INVENTORY_SWITCHES } from './patterns.js'

export type BuildOptions = ServiceBuildOptions

/**
 * Inventory, ready to listen: schema migrated and stocked when empty, pool connected, routes
 * registered. Tests and benchmarks call this in-process; only server.ts listens.
 */
export async function buildApp (config: InventoryConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('inventory', config, opts)
  const seed = { items: config.SEED_ITEMS, stock: config.SEED_STOCK }
  await bootPostgres(app, config, async (connection) => await prepareDatabase({ ...connection, seed }))
  const metrics = createInventoryMetrics(registry)
  const switches = createSwitchSet({ definitions: INVENTORY_SWITCHES, registry })
  await app.register(inventoryPlugin, { config, metrics, switches })
  await app.register(reservationRoutes)
  await app.register(stockRoutes)
  // The lab's readiness fault and the pattern switches (/admin/faults/readiness, /admin/switches), fronted by the gateway's admin API.
  await app.register(labAdminRoutes, { switches })
  return app
}
