import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import { addHousekeeping, createKafka, ensureTopics } from '@lab/messaging'
import { kafkaBrokers, type OrdersConfig } from './config.js'
import { allTopics, orderTopics } from './topics.js'
import { createOrdersMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { inventoryPlugin } from './plugins/inventory.js'
import { ordersPlugin } from './plugins/orders.js'
import { outboxRelayPlugin } from './plugins/outbox-relay.js'
import { paymentResultsPlugin } from './plugins/payment-results.js'
import { paymentTimeoutPlugin } from './plugins/payment-timeout.js'
import { orderRoutes } from './routes/orders.js'
import { ORDERS_SWITCHES } from './patterns.js'

export type BuildOptions = ServiceBuildOptions

/**
 * Orders, ready to listen: schema migrated, topics created, clients connected, routes registered; the
 * outbox relay and the payment-results consumer start when the app is ready and stop when it closes.
 * Tests call this in-process; only server.ts listens.
 */
export async function buildApp (config: OrdersConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('orders', config, opts)
  await bootPostgres(app, config, prepareDatabase)
  try {
    // Topics exist before anything publishes or subscribes. Kafka is needed to boot, but it is no
    // readiness check: orders keeps taking orders while Kafka is down (that is what the outbox is for).
    const kafka = createKafka({
      clientId: config.INSTANCE_ID,
      brokers: kafkaBrokers(config),
      log: app.log,
      retry: { retries: config.KAFKA_RETRIES, maxRetryTime: config.KAFKA_MAX_RETRY_TIME_MS }
    })
    const topics = orderTopics(config)
    await ensureTopics(kafka, allTopics(topics))
    const metrics = createOrdersMetrics(registry)
    await app.register(inventoryPlugin, { config, metrics })
    const switches = createSwitchSet({ definitions: ORDERS_SWITCHES, registry })
    await app.register(ordersPlugin, { config, metrics, topics, switches })
    await app.register(outboxRelayPlugin, { config, kafka })
    // The sweep first: the consumer wakes it, and closes (last registered, first closed) before it.
    await app.register(paymentTimeoutPlugin, { config, metrics, topics })
    await app.register(paymentResultsPlugin, { config, metrics, kafka, topics })
    // Orders owns all three tables: the keys of POST /orders, its outbox, the payment results' inbox.
    addHousekeeping(app, config, { pool: app.pg, registry, service: 'orders', tables: { idempotencyKeys: true, outbox: true, inbox: true } })
    await app.register(orderRoutes)
    // The lab's readiness fault and the pattern switches (/admin/faults/readiness, /admin/switches), fronted by the gateway's admin API.
    await app.register(labAdminRoutes, { switches })
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
  return app
}
