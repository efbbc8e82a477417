import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { createDatabase, listenOnFreePort, testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp as buildGateway } from '../../gateway/src/app.js'
import { loadGatewayConfig } from '../../gateway/src/config.js'
import { buildApp as buildInventory } from '../../services/inventory/src/app.js'
import { loadInventoryConfig } from '../../services/inventory/src/config.js'
import { buildApp as buildProvider } from '../../services/provider/src/app.js'
import { loadProviderConfig } from '../../services/provider/src/config.js'
import { buildApp as buildPayments } from '../../services/payments/src/app.js'
import { loadPaymentsConfig } from '../../services/payments/src/config.js'
import { buildApp as buildOrders } from '../../services/orders/src/app.js'
import { loadOrdersConfig } from '../../services/orders/src/config.js'
import { buildApp as buildNotifications } from '../../services/notifications/src/app.js'
import { loadNotificationsConfig } from '../../services/notifications/src/config.js'

const SECRET = 'e2e-provider-webhook-secret'

/** Every JSON log line the lab's services wrote during the test, to follow one request id across them. */
export class LogCollector {
  readonly entries: Array<Record<string, unknown>> = []
  readonly stream = new Writable({
    write: (chunk, _encoding, done) => {
      for (const line of String(chunk).split('\n')) if (line !== '') this.entries.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })

  servicesThatLogged (requestId: string): Set<string> {
    return new Set(this.entries.filter((e) => e.reqId === requestId).map((e) => String(e.service)))
  }
}

export interface CheckoutLab {
  gatewayUrl: string
  providerUrl: string
  /** Inventory itself, for what the gateway does not route (PUT /stock/:productId). */
  inventoryUrl: string
  logs: LogCollector
  close: () => Promise<void>
}

/**
 * The checkout part of the lab, every service real and in this process, each on its own database and
 * all on one fresh set of Kafka topics, behind a real gateway.
 */
export async function startCheckoutLab (): Promise<CheckoutLab> {
  const logs = new LogCollector()
  const logger = { level: 'info', stream: logs.stream }
  const options = { registry: undefined as Registry | undefined, defaultMetrics: false, logger }
  const withRegistry = () => ({ ...options, registry: new Registry() })
  const databases: TestDatabase[] = []
  const db = async (name: string) => { const d = await createDatabase(`e2e_${name}`); databases.push(d); return d.url }
  const kafka = { KAFKA_BROKERS: testInfra().kafkaBrokers.join(','), TOPIC_PREFIX: `${uniqueName('e2e')}.` }
  const common = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' }
  const apps: LabApp[] = []
  const start = async (app: LabApp) => { apps.push(app); return await listenOnFreePort(app) }

  const providerUrl = await start(await buildProvider(loadProviderConfig({ ...common, PROVIDER_WEBHOOK_SECRET: SECRET }), withRegistry()))
  const inventoryUrl = await start(await buildInventory(loadInventoryConfig({ ...common, DATABASE_URL: await db('inventory'), SEED_ITEMS: '20', SEED_STOCK: '100' }), withRegistry()))
  const paymentsUrl = await start(await buildPayments(loadPaymentsConfig({
    ...common,
    ...kafka,
    DATABASE_URL: await db('payments'),
    SEED_WALLETS: '20',
    PROVIDER_URL: providerUrl,
    PROVIDER_WEBHOOK_SECRET: SECRET,
    PROVIDER_MAX_ATTEMPTS: '2',
    PROVIDER_RETRY_BASE_MS: '20',
    BREAKER_RESET_MS: '1000'
  }), withRegistry()))
  const ordersUrl = await start(await buildOrders(loadOrdersConfig({ ...common, ...kafka, DATABASE_URL: await db('orders'), INVENTORY_URL: inventoryUrl, OUTBOX_POLL_INTERVAL_MS: '50' }), withRegistry()))
  const notificationsUrl = await start(await buildNotifications(loadNotificationsConfig({ ...common, ...kafka, DATABASE_URL: await db('notifications') }), withRegistry()))
  const gatewayUrl = await start(await buildGateway(loadGatewayConfig({
    ...common,
    REDIS_URL: testInfra().redisUrl,
    RATE_LIMIT_KEY_PREFIX: `${uniqueName('e2e')}:`,
    CATALOG_UPSTREAMS: 'http://127.0.0.1:9',
    INVENTORY_UPSTREAMS: inventoryUrl,
    ORDERS_UPSTREAMS: ordersUrl,
    PAYMENTS_UPSTREAMS: paymentsUrl,
    NOTIFICATIONS_UPSTREAMS: notificationsUrl
  }), withRegistry()))

  return {
    gatewayUrl,
    providerUrl,
    inventoryUrl,
    logs,
    close: async () => {
      for (const app of apps.reverse()) await app.close()
      for (const d of databases) await d.drop()
    }
  }
}
