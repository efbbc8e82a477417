import { Registry } from 'prom-client'
import { metricValue, testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp } from '../src/app.js'
import { loadCatalogConfig } from '../src/config.js'

export interface CatalogUnderTest {
  app: LabApp
  registry: Registry
}

/**
 * Environment for a catalog under test: small seed, quick breaker, quiet logs, and a key prefix of its
 * own (pass the same `REDIS_KEY_PREFIX` to two apps to make them replicas sharing one cache).
 */
export function catalogEnv (db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('catalog-test'),
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName('catalog')}:`,
    SEED_CATEGORIES: '5',
    SEED_PRODUCTS: '200',
    SEED_REVIEWS: '2000',
    BREAKER_RESET_MS: '1000',
    ...env
  }
}

/** A catalog app built in-process (not listening: use app.inject). The caller closes it. */
export async function buildCatalog (env: Record<string, string>): Promise<CatalogUnderTest> {
  const registry = new Registry()
  const app = await buildApp(loadCatalogConfig(env), { registry, defaultMetrics: false })
  await app.ready()
  return { app, registry }
}

/** Product-page reads that reached Postgres, summed over several replicas. */
export async function pageQueries (...instances: CatalogUnderTest[]): Promise<number> {
  const counts = await Promise.all(instances.map(async (i) => await metricValue(i.registry, 'catalog_db_queries_total', { query: 'product_page' })))
  return counts.reduce((a, b) => a + b, 0)
}

export { metricValue }
