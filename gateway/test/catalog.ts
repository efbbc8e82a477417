import { startService, testInfra, uniqueName, type ServiceProcess, type TestDatabase } from '@lab/testkit'

/**
 * Environment for a catalog behind the gateway under test: a small seed, a quick breaker, quiet logs
 * and a cache key prefix of its own. Replicas started with one env share that cache, as in the lab.
 */
export function catalogEnv (db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    INSTANCE_ID: uniqueName('catalog-behind-gateway'),
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

/**
 * A catalog replica in its own process (services/catalog, from its server entry, as in the lab): the
 * gateway reaches it over HTTP, and a test can kill it (stop) and bring it back on the same port
 * (start). Stopped by registerTeardown.
 */
export async function startCatalog (env: Record<string, string>): Promise<ServiceProcess> {
  return await startService('catalog', env)
}

/** host:port, as the gateway's metrics label a replica. */
export function replicaLabel (catalog: ServiceProcess): string {
  return `127.0.0.1:${catalog.port}`
}
