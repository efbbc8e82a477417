import fp from 'fastify-plugin'
import { OutboxRelay } from '@lab/messaging'
import type { Kafka } from 'kafkajs'
import type { OrdersConfig } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay
  }
}

/**
 * Publishes the outbox (orders.placed/confirmed/cancelled.v1) to Kafka, from when the app is ready until
 * it closes; one replica at a time publishes (the relay's advisory lock). Rows written while Kafka is
 * down stay in the table and go out, in order, when it is back (outbox_backlog shows them).
 */
export const outboxRelayPlugin = fp<{ config: OrdersConfig, kafka: Kafka }>(async (app, { config, kafka }) => {
  const relay = new OutboxRelay({
    pool: app.pg,
    kafka,
    log: app.log,
    registry: app.metricsRegistry,
    service: 'orders',
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS
  })
  app.decorate('outboxRelay', relay)
  app.addHook('onReady', async () => { relay.start() })
  // onClose hooks run last-registered first: the relay stops before the pool it uses is closed.
  app.addHook('onClose', async () => { await relay.stop() })
}, { name: 'orders-outbox-relay', dependencies: ['lab-postgres'] })
