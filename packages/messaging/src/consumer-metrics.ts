import type { Counter, Registry } from 'prom-client'
import { sharedCounter } from './metrics.js'

export interface ConsumerMetrics {
  messages: Counter<'consumer' | 'topic' | 'outcome'>
  deadLettered: Counter<'consumer' | 'topic'>
}

export function createConsumerMetrics (registry: Registry): ConsumerMetrics {
  return {
    messages: sharedCounter(registry, 'consumer_messages_total', 'Kafka messages handled, by outcome: processed, duplicate, dead_lettered, retried (one per failed attempt before the last)', ['consumer', 'topic', 'outcome']),
    deadLettered: sharedCounter(registry, 'dlq_messages_total', 'Messages sent to a dead-letter topic', ['consumer', 'topic'])
  }
}
