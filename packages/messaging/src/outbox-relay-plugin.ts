import fp from 'fastify-plugin'
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js'

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay
  }
}

export type OutboxRelayPluginOptions = Omit<OutboxRelayOptions, 'pool' | 'kafka' | 'log' | 'registry'>

/**
 * Publishes the service's outbox (outbox-relay.ts) from when the app is ready until it closes; one
 * replica at a time publishes (the relay's advisory lock). Rows written while Kafka is down stay in
 * the table and go out, in order, when it is back (`outbox_backlog` shows them).
 */
export const outboxRelayPlugin = fp<OutboxRelayPluginOptions>(async (app, opts) => {
  const relay = new OutboxRelay({ ...opts, pool: app.pg, kafka: app.kafka, log: app.log, registry: app.metricsRegistry })
  app.decorate('outboxRelay', relay)
  app.addHook('onReady', async () => { relay.start() })
  // onClose hooks run last-registered first: the relay stops before the pool it uses is closed.
  app.addHook('onClose', async () => { await relay.stop() })
}, { name: 'lab-outbox-relay', dependencies: ['lab-postgres', 'lab-kafka'] })
