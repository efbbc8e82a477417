import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, redisPlugin, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import type { CatalogConfig } from './config.js'
import { createCatalogMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { catalogDbPlugin } from './plugins/catalog-db.js'
import { productPagesPlugin } from './plugins/product-pages.js'
import { productRoutes } from './routes/products.js'
import { categoryRoutes } from './routes/categories.js'
import { adminFaultRoutes } from './routes/admin.js'
import { createCatalogFaults } from './faults.js'
import { CATALOG_SWITCHES, cacheSwitches } from './patterns.js'

export type BuildOptions = ServiceBuildOptions

/**
 * The catalog, ready to listen: schema migrated (and seeded when empty, if configured), clients
 * connected, routes registered. Tests and benchmarks call this in-process; only server.ts listens.
 */
export async function buildApp (config: CatalogConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('catalog', config, opts)
  const seed = config.SEED_ON_BOOT ? { categories: config.SEED_CATEGORIES, products: config.SEED_PRODUCTS, reviews: config.SEED_REVIEWS } : undefined
  await bootPostgres(app, config, async (connection) => await prepareDatabase({ ...connection, seed }))
  const metrics = createCatalogMetrics(registry)
  const faults = createCatalogFaults()
  const switches = createSwitchSet({ definitions: CATALOG_SWITCHES, registry })
  // Redis is not needed to be ready: the cache fails open to Postgres when Redis is away.
  await app.register(redisPlugin, { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, requiredForReadiness: false })
  await app.register(catalogDbPlugin, { metrics, faults })
  await app.register(productPagesPlugin, { config, metrics, switches: cacheSwitches(switches) })
  await app.register(productRoutes)
  await app.register(categoryRoutes)
  await app.register(adminFaultRoutes, { faults })
  await app.register(labAdminRoutes, { switches })
  return app
}
