import fp from 'fastify-plugin'
import type { Kafka } from 'kafkajs'
import { IdempotentConsumer, addHousekeeping, manageConsumer, createKafka, deadLetterTopic, ensureTopics } from '@lab/messaging'
import { kafkaBrokers, type NotificationsConfig } from '../config.js'
import type { NotificationsMetrics } from '../metrics.js'
import { topicNames } from '../topics.js'
import { createEventHandler } from '../consumer/handle-event.js'

/** The inbox rows' consumer name: one per logical handler. */
export const CONSUMER_NAME = 'notifications'

/**
 * The idempotent consumer of the five checkout topics (@lab/messaging): one notification per event,
 * in the transaction that records the event as processed; failures retried with backoff, then parked
 * in `<topic>.dlq.v1`. It starts when the app is ready (the topics are created first, so subscribing
 * never races their creation) and leaves its group before the pool closes.
 */
export const consumerPlugin = fp<{ config: NotificationsConfig, metrics: NotificationsMetrics }>(async (app, { config, metrics }) => {
  const names = topicNames(config.TOPIC_PREFIX)
  const kafka = createKafka({ clientId: config.INSTANCE_ID, brokers: kafkaBrokers(config), log: app.log })
  const consumer = new IdempotentConsumer({
    kafka,
    pool: app.pg,
    // Prefixed like the topics: a group shared with another lab or test would split the partitions with it.
    groupId: `${config.TOPIC_PREFIX}${config.CONSUMER_GROUP}`,
    topics: names.topics,
    consumerName: CONSUMER_NAME,
    handle: createEventHandler({ topics: names, faults: app.faults, metrics }),
    log: app.log,
    registry: app.metricsRegistry,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    // One partition at a time each, side by side: an order's events share a partition, so their order holds.
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    retryBackoffMs: config.CONSUMER_RETRY_BACKOFF_MS,
    batchSize: config.CONSUMER_BATCH_SIZE
  })
  // The consumer's inbox is the only one of the three tables notifications has.
  addHousekeeping(app, config, { pool: app.pg, registry: app.metricsRegistry, service: 'notifications', tables: { idempotencyKeys: false, outbox: false, inbox: true } })
  app.addHook('onReady', async () => {
    await ensureTopicsPatiently(kafka, [...names.topics, ...names.topics.map(deadLetterTopic)])
  })
  manageConsumer(app, consumer, { stopHook: 'preClose' })
}, { name: 'notifications-consumer', dependencies: ['lab-postgres', 'notifications-faults'] })

/**
 * kafkajs' createTopics({ waitForLeaders: true }) sometimes fails on KRaft right after creating the
 * topics ("This server does not host this topic-partition", seen here in about one run in ten). The
 * topics exist by then, so one more call finds them and only waits for their leaders. The dead-letter
 * topics are made here too, so the consumer's own ensureTopics at start finds them all.
 */
async function ensureTopicsPatiently (kafka: Kafka, topics: string[], attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(kafka, topics, { partitions: 3 })
      return
    } catch (err) {
      if (attempt >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt))
    }
  }
}
