import type { Counter, Registry } from 'prom-client'
import { sharedCounter } from './metrics.js'

export interface ConsumerMetrics {
  messages: Counter<'consumer' | 'topic' | 'outcome'>
  deadLettered: Counter<'consumer' | 'topic'>
  restarts: Counter<'consumer'>
}

export function createConsumerMetrics (registry: Registry): ConsumerMetrics {
  return {
    messages: sharedCounter(registry, 'consumer_messages_total', 'Kafka messages handled, by outcome: processed, duplicate, dead_lettered, retried (one per failed attempt before the last)', ['consumer', 'topic', 'outcome']),
    deadLettered: sharedCounter(registry, 'dlq_messages_total', 'Messages sent to a dead-letter topic', ['consumer', 'topic']),
    restarts: sharedCounter(registry, 'kafka_consumer_restarts_total', 'Kafka consumers made anew after a crash kafkajs does not restart from (a non-retriable error)', ['consumer'])
  }
}

const OUTCOMES = ['processed', 'duplicate', 'retried', 'dead_lettered'] as const

/**
 * A consumer's series exist from its start (at 0), so rate() and the "DLQ not empty" alert see every
 * topic before its first message: a counter born with its first increment hides that increment from
 * increase().
 */
export function zeroConsumerSeries (metrics: ConsumerMetrics, consumer: string, topics: string[]): void {
  for (const topic of topics) {
    for (const outcome of OUTCOMES) metrics.messages.inc({ consumer, topic, outcome }, 0)
    metrics.deadLettered.inc({ consumer, topic }, 0)
  }
  metrics.restarts.inc({ consumer }, 0)
}
