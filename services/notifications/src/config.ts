import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase, postgresConfig } from '@lab/platform'
import { HousekeepingConfigSchema } from '@lab/messaging'

/**
 * Everything the notifications service reads from its environment, validated once at boot. Shared
 * names (HOST, PORT, INSTANCE_ID, DATABASE_URL, KAFKA_BROKERS) come from infra/topology.ts; the rest
 * are the consumer's knobs, the fault flag and the feed's timing.
 */
export const NotificationsConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'notifications', port: 7601 }),
  ...postgresConfig('notifications'),
  KAFKA_BROKERS: Type.String({ minLength: 1, pattern: '^[^,\\s]+(,[^,\\s]+)*$', description: 'comma-separated host:port list' }),
  /** Prepended to every topic name, so tests (and parallel labs) never share topics. */
  TOPIC_PREFIX: Type.String({ default: '' }),
  /** Consumer group (after TOPIC_PREFIX); replicas share it (Kafka splits the partitions between them). */
  CONSUMER_GROUP: Type.String({ minLength: 1, default: 'notifications' }),
  /** Attempts of one message (first try included) before it goes to `<topic>.dlq.v1`. */
  CONSUMER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
  /** Partitions a consumer works on at once (the lab's topics have 3); measured ~1,360 → ~2,500 messages/s. */
  CONSUMER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 3 }),
  /** Wait before the first retry; doubled for each further one. */
  CONSUMER_RETRY_BACKOFF_MS: Type.Integer({ minimum: 0, default: 200 }),
  /** Most events applied in one transaction, with one offset commit (IdempotentConsumer batchSize). */
  CONSUMER_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /** Fault flag at boot (also switchable at run time, PUT /admin/faults): fail every message with this key. */
  POISON_KEY: Type.String({ default: '' }),
  /** The sweeper of old inbox rows (@lab/messaging housekeeping.ts; the outbox knob is unused here). */
  ...HousekeepingConfigSchema,

  /** Comment line sent on an idle feed so proxies keep the stream open. */
  SSE_KEEPALIVE_MS: Type.Integer({ minimum: 100, default: 15_000 })
})

export type NotificationsConfig = Readonly<Static<typeof NotificationsConfigSchema>>

export function loadNotificationsConfig (env?: Record<string, string | undefined>): NotificationsConfig {
  return loadConfig(NotificationsConfigSchema, env)
}

export function kafkaBrokers (config: NotificationsConfig): string[] {
  return config.KAFKA_BROKERS.split(',')
}
