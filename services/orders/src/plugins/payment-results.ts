import fp from 'fastify-plugin'
import { IdempotentConsumer, manageConsumer } from '@lab/messaging'
import type { Kafka } from 'kafkajs'
import type { OrdersConfig } from '../config.js'
import type { OrderTopics } from '../topics.js'
import type { OrdersMetrics } from '../metrics.js'
import { createPaymentResultHandler } from '../saga/order-saga.js'

declare module 'fastify' {
  interface FastifyInstance {
    paymentResultsConsumer: IdempotentConsumer
  }
}

/**
 * The saga step (saga/order-saga.ts) fed by an idempotent consumer of payments.succeeded.v1 and
 * payments.failed.v1: joined when the app is ready, left when it closes. Once a batch of failures
 * committed (the observer runs after the commit, before the offset's), the saga's sweep is woken to
 * release the stock their cancellations recorded: at once, yet never before the cancellation commits.
 */
export const paymentResultsPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics, kafka: Kafka, topics: OrderTopics }>(async (app, { config, metrics, kafka, topics }) => {
  const consumer = new IdempotentConsumer({
    kafka,
    pool: app.pg,
    // The prefix keeps test files' groups apart; '' in the lab, so the group is `orders`.
    groupId: `${config.TOPIC_PREFIX}orders`,
    topics: [topics.paymentSucceeded, topics.paymentFailed],
    consumerName: 'orders',
    handle: createPaymentResultHandler({ topics, metrics }),
    observer: { onBatchApplied: (batch) => { if (batch.topic === topics.paymentFailed) app.sagaSweep.wake() } },
    log: app.log,
    registry: app.metricsRegistry,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    // One partition at a time each, side by side: an order's events share a partition, so their order holds.
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    retryBackoffMs: config.CONSUMER_RETRY_BACKOFF_MS,
    batchSize: config.CONSUMER_BATCH_SIZE
  })
  app.decorate('paymentResultsConsumer', consumer)
  manageConsumer(app, consumer)
}, { name: 'orders-payment-results', dependencies: ['lab-postgres', 'orders-payment-timeout'] })
