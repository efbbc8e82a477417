import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { addHousekeeping, applyAgainWhile, createKafka, ensureTopics, IdempotentConsumer, manageConsumer, OutboxRelay, type ConsumerObserver } from '@lab/messaging'
import type { PaymentsConfig } from '../config.js'
import { chargeOrder, requestCardCharge } from '../payments/charge-order.js'
import { chargeOrderAgain } from '../payments/charge-again.js'
import { chargeCardInTransaction } from '../payments/charge-in-transaction.js'
import { refundOrder } from '../payments/refund-order.js'

/** The consumer's observer, for tests: its onBatchApplied throwing dies between the effects' commit and the offset commit. */
export type ConsumerHooks = ConsumerObserver

/**
 * Kafka for payments: the outbox relay (payments.succeeded.v1 / payments.failed.v1 leave only through
 * the outbox) and one idempotent consumer, group `payments`, for orders.placed.v1 (charge) and
 * orders.cancelled.v1 (refund). Both start when the app is ready and stop before the pool closes; the
 * consumer's start does not hold the app's (manageConsumer).
 */
export const messagingPlugin = fp<{ config: PaymentsConfig, registry: Registry, hooks?: ConsumerHooks }>(async (app, { config, registry, hooks }) => {
  const kafka = createKafka({ clientId: config.INSTANCE_ID, brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()), log: app.log })
  const topics = app.payments.topics
  await ensureTopics(kafka, Object.values(topics))

  const relay = new OutboxRelay({ pool: app.pg, kafka, log: app.log, registry, service: 'payments', pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS })
  const chargesIdempotent = () => app.payments.switches.enabled('idempotent-consumer')
  const consumer = new IdempotentConsumer({
    kafka,
    pool: app.pg,
    // Prefixed like the topics: a group shared with another lab or test would split the partitions with it.
    groupId: `${config.TOPIC_PREFIX}${config.CONSUMER_GROUP}`,
    topics: [topics.ordersPlaced, topics.ordersCancelled],
    consumerName: 'payments',
    log: app.log,
    registry,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    retryBackoffMs: config.CONSUMER_RETRY_BACKOFF_MS,
    batchSize: config.CONSUMER_BATCH_SIZE,
    // One order's events share a partition (key = order id); partitions are independent. No provider
    // call runs in these transactions: a card charge is only recorded, the charge worker makes it.
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    observer: hooks,
    // The `idempotent-consumer` switch covers the charges only: off, their inbox check and the
    // handler's one-payment-per-order guard both go (refunds keep theirs).
    inbox: applyAgainWhile((topic) => topic === topics.ordersPlaced && !chargesIdempotent()),
    handle: async (client, envelope, ctx) => {
      if (ctx.topic !== topics.ordersPlaced) return await refundOrder(client, envelope, ctx, app.payments)
      const charge = chargesIdempotent() ? chargeOrder : chargeOrderAgain
      // `charge-worker` off: the provider called right here, inside this batch's transaction (the anti-pattern shown).
      const cardCharge = app.payments.switches.enabled('charge-worker') ? requestCardCharge : chargeCardInTransaction
      await charge(client, envelope, ctx, app.payments, cardCharge)
    }
  })

  // Payments owns all three tables: the keys of POST /transfers, its outbox, the order events' inbox.
  addHousekeeping(app, config, { pool: app.pg, registry, service: 'payments', tables: { idempotencyKeys: true, outbox: true, inbox: true } })

  app.addHook('onReady', async () => { relay.start() })
  manageConsumer(app, consumer)
  app.addHook('onClose', async () => { await relay.stop() })
}, { name: 'payments-messaging', dependencies: ['lab-postgres', 'payments-domain'] })
