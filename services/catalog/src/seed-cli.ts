import pino from 'pino'
import { loggerOptions } from '@lab/platform'
import { loadCatalogConfig } from './config.js'
import { prepareDatabase } from './db/prepare-database.js'

/**
 * `pnpm --filter @lab/catalog seed`: migrate and seed the catalog database without starting the
 * service (SEED_PRODUCTS / SEED_REVIEWS / SEED_CATEGORIES set the sizes). A no-op when already seeded.
 */
const config = loadCatalogConfig()
const log = pino(loggerOptions({ service: 'catalog-seed', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }))
try {
  const result = await prepareDatabase({
    connectionString: config.DATABASE_URL,
    applicationName: `${config.INSTANCE_ID}-seed`,
    seed: { categories: config.SEED_CATEGORIES, products: config.SEED_PRODUCTS, reviews: config.SEED_REVIEWS },
    log
  })
  log.info({ result }, 'seed finished')
} catch (err) {
  log.fatal({ err }, 'seed failed')
  process.exitCode = 1
}
