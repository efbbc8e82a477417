import fp from 'fastify-plugin'
import type { Kafka } from 'kafkajs'
import { createKafka, type CreateKafkaOptions } from './kafka.js'
import { ensureTopics } from './topics.js'
import { deadLetterTopic } from './dead-letter.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Kafka client (kafka-plugin.ts): the outbox relay and the consumers make their producers and consumers from it. */
    kafka: Kafka
  }
}

export interface KafkaPluginOptions extends Omit<CreateKafkaOptions, 'log'> {
  /** Topics the service writes to (its outbox's), as this instance names them. */
  produces: string[]
  /** Topics it reads; their dead-letter topics are created with them. */
  consumes: string[]
}

/**
 * One Kafka client per service, as app.pg and app.redis are one pool and one client: logging through
 * the service's logger (kafka.ts), with every topic the service writes or reads, dead letters
 * included, created at boot, before anything publishes or subscribes. Kafka is needed to boot, but it
 * is no readiness check: a service keeps answering while Kafka is down (that is what the outbox is
 * for). The client holds no connection of its own; the producers and consumers made from it close
 * theirs (outbox-relay-plugin.ts, consumer-plugin.ts).
 */
export const kafkaPlugin = fp<KafkaPluginOptions>(async (app, { produces, consumes, ...client }) => {
  const kafka = createKafka({ ...client, log: app.log })
  await ensureTopics(kafka, [...produces, ...consumes, ...consumes.map(deadLetterTopic)])
  app.decorate('kafka', kafka)
}, { name: 'lab-kafka' })
