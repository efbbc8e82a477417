import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import { addHousekeeping, applyAgainWhile, idempotentConsumerPlugin, kafkaPlugin, outboxRelayPlugin, type ConsumerObserver } from '@lab/messaging'
import type { PaymentsConfig } from './config.js'
import { createPaymentsMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { paymentsPlugin } from './plugins/payments.js'
import { orderEventHandlers } from './payments/order-event-handlers.js'
import { reconcilerPlugin } from './plugins/reconciler.js'
import { chargeWorkerPlugin } from './plugins/charge-worker.js'
import { transferRoutes } from './routes/transfers.js'
import { walletRoutes } from './routes/wallets.js'
import { providerCallbackRoutes } from './routes/provider-callbacks.js'
import { PAYMENTS_SWITCHES } from './patterns.js'

export interface BuildOptions extends ServiceBuildOptions {
  /** The consumer's observer, for tests: its onBatchApplied throwing dies between the effects' commit and the offset commit. */
  consumerHooks?: ConsumerObserver
}

/**
 * Payments, ready to listen: schema migrated and wallets seeded (once, under an advisory lock), the
 * provider behind its breaker, the outbox relay, the idempotent consumer, the reconciler and the
 * charge worker started when the app is ready. Tests call this in-process; only server.ts listens for real.
 */
export async function buildApp (config: PaymentsConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('payments', config, opts)
  const seed = { customers: config.SEED_WALLETS, balanceCents: config.SEED_BALANCE_CENTS }
  await bootPostgres(app, config, async (connection) => await prepareDatabase({ ...connection, seed }))
  try {
    const metrics = createPaymentsMetrics(registry)
    const switches = createSwitchSet({ definitions: PAYMENTS_SWITCHES, registry })
    await app.register(paymentsPlugin, { config, metrics, switches })
    // payments.succeeded/failed.v1 leave only through the outbox; orders' events come in through one
    // idempotent consumer, group `payments`, whose transactions make no provider call (a card charge
    // is only recorded there: the charge worker makes it).
    const topics = app.payments.topics
    await app.register(kafkaPlugin, {
      clientId: config.INSTANCE_ID,
      brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      produces: [topics.paymentsSucceeded, topics.paymentsFailed],
      consumes: [topics.ordersPlaced, topics.ordersCancelled]
    })
    await app.register(outboxRelayPlugin, { service: 'payments', pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS })
    await app.register(idempotentConsumerPlugin, {
      name: 'payments',
      groupId: `${config.TOPIC_PREFIX}${config.CONSUMER_GROUP}`,
      handlers: orderEventHandlers(app.payments),
      settings: config,
      // The `idempotent-consumer` switch covers the charges only: off, their inbox check goes too (refunds keep theirs).
      inbox: applyAgainWhile((topic) => topic === topics.ordersPlaced && !switches.enabled('idempotent-consumer')),
      ...(opts.consumerHooks === undefined ? {} : { observer: opts.consumerHooks })
    })
    // Payments owns all three tables: the keys of POST /transfers, its outbox, the order events' inbox.
    addHousekeeping(app, config, { pool: app.pg, registry, service: 'payments', tables: { idempotencyKeys: true, outbox: true, inbox: true } })
    await app.register(reconcilerPlugin, { config })
    await app.register(chargeWorkerPlugin, { config, registry })
    await app.register(transferRoutes)
    await app.register(walletRoutes)
    await app.register(providerCallbackRoutes, { secret: config.PROVIDER_WEBHOOK_SECRET, toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS })
    // The lab's readiness fault and the pattern switches (/admin/faults/readiness, /admin/switches), fronted by the gateway's admin API.
    await app.register(labAdminRoutes, { switches })
  } catch (err) {
    await app.close()
    throw err
  }
  return app
}
