import { randomUUID } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import { Registry } from 'prom-client'
import { uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp } from '../src/app.js'
import { loadInventoryConfig } from '../src/config.js'

export interface InventoryUnderTest {
  app: LabApp
  registry: Registry
}

/** Environment for inventory under test: a small seed, quiet logs; override any knob. */
export function inventoryEnv (db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('inventory-test'),
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    SEED_ITEMS: '20',
    SEED_STOCK: '100',
    ...env
  }
}

/** An inventory app built in-process (not listening: use app.inject, or listen()). The caller closes it. */
export async function buildInventory (env: Record<string, string>): Promise<InventoryUnderTest> {
  const registry = new Registry()
  const app = await buildApp(loadInventoryConfig(env), { registry, defaultMetrics: false })
  await app.ready()
  return { app, registry }
}

export interface HttpAnswer { status: number, headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> }

/**
 * Real HTTP through a keep-alive agent with a fixed number of sockets: many buyers share a few
 * connections, as behind a gateway, and every request crosses the network stack.
 */
export function httpClient (baseUrl: string, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  return {
    post: async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> => await new Promise((resolve, reject) => {
      const payload = JSON.stringify(body)
      const req = httpRequest(`${baseUrl}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }) })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(payload)
    }),
    close: () => { agent.destroy() }
  }
}

/** A reservation body for `productId`, with a fresh id. */
export function purchase (productId: number, quantity = 1) {
  return { reservationId: randomUUID(), productId, quantity }
}

export { errorBody as expectedErrorBody, metricValue, sql } from '@lab/testkit'
