import { createProxy, registerTeardown, testInfra, type ServiceProcess, type TestDatabase, type TestProxy } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildGateway } from '../build.js'
import { catalogEnv, startCatalog } from '../catalog.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

export interface ChaosLab {
  gateway: LabApp
  /** The catalog replicas, each its own process. */
  catalogs: ServiceProcess[]
  redis: TestProxy
  postgres: TestProxy
}

/**
 * A small lab of real parts: catalog replicas reaching Postgres and Redis through their own Toxiproxy
 * proxies (so a fault here touches no one else's test), and a gateway whose admin API manages exactly
 * those proxies. Everything is closed and removed when the test ends.
 */
export async function startChaosLab (db: TestDatabase, { replicas = 1, gatewayEnv = {} }: { replicas?: number, gatewayEnv?: Record<string, string> } = {}): Promise<ChaosLab> {
  const redis = await createProxy('redis')
  const postgres = await createProxy('postgres')
  registerTeardown(async () => { await redis.remove(); await postgres.remove() })
  const dbUrl = new URL(db.url)
  dbUrl.host = postgres.address
  const shared = catalogEnv(db, { REDIS_URL: `redis://${redis.address}`, DATABASE_URL: dbUrl.toString(), REDIS_COMMAND_TIMEOUT_MS: '200' })
  const catalogs: ServiceProcess[] = []
  // One after the other: the first one migrates and seeds, the next find it done.
  for (let i = 0; i < replicas; i++) catalogs.push(await startCatalog(shared))
  const { app: gateway } = await buildGateway({
    CATALOG_UPSTREAMS: catalogs.map((catalog) => catalog.url).join(','),
    ADMIN_TOKEN,
    TOXIPROXY_URL: testInfra().toxiproxy.apiUrl,
    CHAOS_PROXIES: `${redis.name},${postgres.name}`,
    ...gatewayEnv
  })
  return { gateway, catalogs, redis, postgres }
}
