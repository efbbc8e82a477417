import { Registry } from 'prom-client'
import { createBaseApp, postgresPlugin, type LabApp, type LoggerSettings } from '@lab/platform'
import type { InventoryConfig } from './config.js'
import { createInventoryMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { inventoryPlugin } from './plugins/inventory.js'
import { reservationRoutes } from './routes/reservations.js'
import { stockRoutes } from './routes/stock.js'

export interface BuildOptions {
  /** Metrics registry; a fresh one per app by default (tests build several apps in one process). */
  registry?: Registry
  logger?: Partial<LoggerSettings>
  /** Node process metrics; off by default in-process, on in server.ts. */
  defaultMetrics?: boolean
}

/**
 * Inventory, ready to listen: schema migrated and stocked when empty, pool connected, routes
 * registered. Tests and benchmarks call this in-process; only server.ts listens.
 */
export async function buildApp (config: InventoryConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const registry = opts.registry ?? new Registry()
  const app = await createBaseApp({
    logger: { service: 'inventory', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, ...opts.logger },
    registry,
    defaultMetrics: opts.defaultMetrics ?? false
  })
  try {
    await prepareDatabase({
      connectionString: config.DATABASE_URL,
      applicationName: `${config.INSTANCE_ID}-boot`,
      seed: { items: config.SEED_ITEMS, stock: config.SEED_STOCK },
      log: app.log
    })
  } catch (err) {
    await app.close()
    throw err
  }

  const metrics = createInventoryMetrics(registry)
  await app.register(postgresPlugin, { connectionString: config.DATABASE_URL, applicationName: config.INSTANCE_ID, maxConnections: config.PG_POOL_MAX })
  await app.register(inventoryPlugin, { config, metrics })
  await app.register(reservationRoutes)
  await app.register(stockRoutes)
  return app
}
