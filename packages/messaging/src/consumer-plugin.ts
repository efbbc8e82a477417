import fp from 'fastify-plugin'
import { IdempotentConsumer } from './consumer.js'
import type { MessageHandler } from './consumer-handler.js'
import type { ConsumerObserver } from './consumer-observer.js'
import { manageConsumer, type ConsumerLifecycleOptions } from './consumer-lifecycle.js'
import type { InboxDecision } from './inbox.js'

/** The consumer settings every service's config carries (its own defaults). */
export interface ConsumerSettings {
  /** Handler attempts before the message goes to its dead-letter topic. */
  CONSUMER_MAX_ATTEMPTS: number
  /** Partitions consumed side by side (one at a time each, so an order's events keep their order). */
  CONSUMER_CONCURRENCY: number
  CONSUMER_RETRY_BACKOFF_MS: number
  /** Most messages of a partition applied in one transaction, with one offset commit. */
  CONSUMER_BATCH_SIZE: number
}

export interface IdempotentConsumerPluginOptions {
  /** The inbox rows' consumer name (one per logical reader), also its label in the metrics. */
  name: string
  /** The consumer group, prefixed like the topics: a group shared with another lab or test would split the partitions with it. */
  groupId: string
  /** One small handler per topic read, keyed by the topic's name as this instance uses it. */
  handlers: Record<string, MessageHandler>
  settings: ConsumerSettings
  /** By default only new messages are applied (inbox.ts); a switch's off variant is chosen where the service wires this. */
  inbox?: InboxDecision
  /** Told of each batch applied, before its offset commit (tests die right there). */
  observer?: ConsumerObserver
  lifecycle?: ConsumerLifecycleOptions
  /** Hands the consumer out (a test stops and starts it). */
  expose?: (consumer: IdempotentConsumer) => void
}

/**
 * An idempotent consumer (consumer.ts) of the topics of `handlers`, each message given to its topic's
 * handler inside the transaction that records it in the inbox. It joins its group when the app is
 * ready, without holding the app's start, and leaves it when the app closes (consumer-lifecycle.ts).
 */
export const idempotentConsumerPlugin = fp<IdempotentConsumerPluginOptions>(async (app, opts) => {
  const { handlers, settings } = opts
  const consumer = new IdempotentConsumer({
    kafka: app.kafka,
    pool: app.pg,
    groupId: opts.groupId,
    topics: Object.keys(handlers),
    consumerName: opts.name,
    handle: byTopic(handlers),
    log: app.log,
    registry: app.metricsRegistry,
    maxAttempts: settings.CONSUMER_MAX_ATTEMPTS,
    retryBackoffMs: settings.CONSUMER_RETRY_BACKOFF_MS,
    batchSize: settings.CONSUMER_BATCH_SIZE,
    partitionsConsumedConcurrently: settings.CONSUMER_CONCURRENCY,
    ...(opts.inbox === undefined ? {} : { inbox: opts.inbox }),
    ...(opts.observer === undefined ? {} : { observer: opts.observer })
  })
  opts.expose?.(consumer)
  manageConsumer(app, consumer, opts.lifecycle)
}, { dependencies: ['lab-postgres', 'lab-kafka'] })

function byTopic (handlers: Record<string, MessageHandler>): MessageHandler {
  return async (client, envelope, ctx) => {
    const handle = handlers[ctx.topic]
    // Subscribed to exactly these topics, so this is a bug; the message is retried, then dead-lettered.
    if (handle === undefined) throw new Error(`no handler for topic ${ctx.topic}`)
    await handle(client, envelope, ctx)
  }
}
