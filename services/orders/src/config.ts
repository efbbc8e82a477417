import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase, postgresConfig } from '@lab/platform'
import { HousekeepingConfigSchema } from '@lab/messaging'

/**
 * Everything orders reads from its environment, validated once at boot. The shared names (HOST, PORT,
 * INSTANCE_ID, DATABASE_URL, KAFKA_BROKERS, INVENTORY_URL) come from infra/topology.ts; the rest are
 * the knobs of its patterns (breaker, idempotency keys, outbox relay, consumer retries).
 */
export const OrdersConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'orders', port: 7301 }),
  ...postgresConfig('orders'),
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: Type.String({ minLength: 1, pattern: '^[^,\\s]+(,[^,\\s]+)*$', description: 'host:port[,host:port…]' }),
  /** Put in front of every topic name, so test files never share a topic; '' in the lab. */
  TOPIC_PREFIX: Type.String({ default: '' }),
  /** kafkajs retries per request and the cap of their backoff: tests that stop Kafka want them short. */
  KAFKA_RETRIES: Type.Integer({ minimum: 0, default: 8 }),
  KAFKA_MAX_RETRY_TIME_MS: Type.Integer({ minimum: 10, default: 5000 }),
  INVENTORY_URL: Type.String({ minLength: 1, pattern: '^https?://', description: 'http://host:port of the inventory service' }),

  /**
   * One call to inventory slower than this fails (and counts against the breaker). Above inventory's
   * worst case under contention: its optimistic retries can back off ~1.1 s in all.
   */
  INVENTORY_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 2000 }),
  /** Breaker around inventory: open after this share of failures (percent) ... */
  BREAKER_ERROR_THRESHOLD_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** ... among at least this many calls in the rolling window (10 s) ... */
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** ... and probe inventory again (half-open) after this long. */
  BREAKER_RESET_MS: Type.Integer({ minimum: 100, default: 5000 }),

  /** How long a completed Idempotency-Key is remembered (and replayed). */
  IDEMPOTENCY_RETENTION_MS: Type.Integer({ minimum: 1000, default: 24 * 3600 * 1000 }),
  /**
   * A request holding a key for longer than this is presumed crashed, and a retry with that key may
   * take over. Must stay well above the longest the key's transaction can take (the database only:
   * the reservation at inventory is made before it, place-order.ts).
   */
  IDEMPOTENCY_CLAIM_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  /**
   * Where POST /orders claims its key: in the order's own transaction under an advisory lock (one
   * commit per order; @lab/idempotency withIdempotency, the production mode), or, only to measure the
   * difference with the checkout bench, in a short transaction of its own before it (the comparison
   * variant withIdempotencyInTwoTransactions).
   */
  IDEMPOTENCY_CLAIM_IN: Type.Union([Type.Literal('work-transaction'), Type.Literal('own-transaction')], { default: 'work-transaction' }),

  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 100 }),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, default: 100 }),
  /** Cap of the relay's backoff while Kafka is down: also the most it lags once Kafka is back. */
  OUTBOX_MAX_BACKOFF_MS: Type.Integer({ minimum: 10, default: 5000 }),
  /** A payment event whose handling fails this many times goes to its dead-letter topic. */
  CONSUMER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5 }),
  /** Partitions a consumer works on at once (the lab's topics have 3); measured ~1,360 → ~2,500 messages/s. */
  CONSUMER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 3 }),
  CONSUMER_RETRY_BACKOFF_MS: Type.Integer({ minimum: 0, default: 200 }),
  /** Most payment events applied in one transaction, with one offset commit (IdempotentConsumer batchSize). */
  CONSUMER_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /**
   * An order still pending this long after it was placed is cancelled, its stock released (the saga's
   * timeout, saga/payment-timeout.ts). Well above a normal payment (well under a second) and a card whose
   * outcome the reconciler settles (tens of seconds), and above a Kafka outage the outbox should ride out.
   */
  PAYMENT_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 10 * 60_000 }),
  /**
   * How often the saga's sweep runs (plugins/payment-timeout.ts): orders past their payment timeout are
   * cancelled, and owed stock releases that are due are made at inventory. A cancellation by a failed
   * payment also wakes it at once, after its commit, and a release waiting for its retry at its due
   * time (a backlog batch after batch): this interval is the most the sweep sleeps.
   */
  PAYMENT_TIMEOUT_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000 }),
  /** A stock release inventory could not take is tried again after this long, doubled per failure ... */
  STOCK_RELEASE_RETRY_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** ... up to this: also the most a release lags once inventory is back (plus BREAKER_RESET_MS if its try meets the breaker still open). */
  STOCK_RELEASE_MAX_RETRY_MS: Type.Integer({ minimum: 10, default: 30_000 }),
  /** The sweeper of expired idempotency keys, sent outbox rows and old inbox rows (@lab/messaging housekeeping.ts). */
  ...HousekeepingConfigSchema
})

export type OrdersConfig = Readonly<Static<typeof OrdersConfigSchema>>

export function loadOrdersConfig (env?: Record<string, string | undefined>): OrdersConfig {
  return loadConfig(OrdersConfigSchema, env)
}

export function kafkaBrokers (config: OrdersConfig): string[] {
  return config.KAFKA_BROKERS.split(',')
}
