import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import { addHousekeeping, idempotentConsumerPlugin, kafkaPlugin, outboxRelayPlugin } from '@lab/messaging'
import { kafkaBrokers, type OrdersConfig } from './config.js'
import { orderTopics } from './topics.js'
import { createOrdersMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { inventoryPlugin } from './plugins/inventory.js'
import { ordersPlugin } from './plugins/orders.js'
import { paymentTimeoutPlugin } from './plugins/payment-timeout.js'
import { paymentResultHandlers } from './saga/order-saga.js'
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
    // Orders keeps taking orders while Kafka is down: that is what the outbox is for.
    const topics = orderTopics(config)
    await app.register(kafkaPlugin, {
      clientId: config.INSTANCE_ID,
      brokers: kafkaBrokers(config),
      retry: { retries: config.KAFKA_RETRIES, maxRetryTime: config.KAFKA_MAX_RETRY_TIME_MS },
      produces: [topics.placed, topics.confirmed, topics.cancelled],
      consumes: [topics.paymentSucceeded, topics.paymentFailed]
    })
    const metrics = createOrdersMetrics(registry)
    await app.register(inventoryPlugin, { config, metrics })
    const switches = createSwitchSet({ definitions: ORDERS_SWITCHES, registry })
    await app.register(ordersPlugin, { config, metrics, topics, switches })
    await app.register(outboxRelayPlugin, { service: 'orders', pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS, batchSize: config.OUTBOX_BATCH_SIZE, maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS })
    // The sweep first: the consumer wakes it, and closes (last registered, first closed) before it.
    await app.register(paymentTimeoutPlugin, { config, metrics, topics })
    // The saga's step (saga/order-saga.ts), one handler per payment result. Once a batch of failures
    // committed (the observer runs after the commit, before the offset's), the sweep is woken to
    // release the stock their cancellations recorded: at once, yet never before the commit.
    await app.register(idempotentConsumerPlugin, {
      name: 'orders',
      // The prefix keeps test files' groups apart; '' in the lab, so the group is `orders`.
      groupId: `${config.TOPIC_PREFIX}orders`,
      handlers: paymentResultHandlers({ topics, metrics }),
      settings: config,
      observer: { onBatchApplied: (batch) => { if (batch.topic === topics.paymentFailed) app.sagaSweep.wake() } }
    })
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
