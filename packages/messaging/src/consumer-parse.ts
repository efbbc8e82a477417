import type { KafkaMessage } from 'kafkajs'
import type { MessagingLogger } from './logger.js'
import { parseEnvelope, type Envelope } from './envelope.js'
import type { Delivery } from './consumer-apply.js'
import type { ConsumerMetrics } from './consumer-metrics.js'
import { headerValue, type DeadLetter } from './dead-letter.js'

/** A well-formed message and where it came from (the DLQ copies the original). */
export type Fetched<T> = Delivery<T> & { message: KafkaMessage }

/** A message that is not an envelope: no handler can take it, and no retry can fix it. */
export interface Malformed { message: KafkaMessage, error: string, log: MessagingLogger }

export interface ParsedRun<T> { deliveries: Array<Fetched<T>>, malformed: Malformed[] }

/**
 * A run's messages as envelopes for the handler, each with its context: the request id (the
 * `x-request-id` header, else the envelope id, else the offset) and a child logger with it, the topic,
 * partition, offset and message id bound. The messages that do not parse are set apart.
 */
export function parseRun<T> (log: MessagingLogger, topic: string, partition: number, messages: KafkaMessage[]): ParsedRun<T> {
  const deliveries: Array<Fetched<T>> = []
  const malformed: Malformed[] = []
  for (const message of messages) {
    const parsed = parseEnvelope(message.value)
    const requestId = headerValue(message.headers, 'x-request-id') ?? (parsed.ok ? parsed.envelope.id : message.offset)
    const child = log.child({ reqId: requestId, topic, partition, offset: message.offset, ...(parsed.ok ? { messageId: parsed.envelope.id } : {}) })
    if (parsed.ok) deliveries.push({ envelope: parsed.envelope as Envelope<T>, ctx: { topic, partition, offset: message.offset, requestId, log: child, attempt: 1 }, message })
    else malformed.push({ message, error: parsed.error, log: child })
  }
  return { deliveries, malformed }
}

/** Where a run came from, and what parks a message and counts it. */
export interface MalformedSink {
  topic: string
  partition: number
  consumer: string
  metrics: ConsumerMetrics
  deadLetter: (letter: DeadLetter) => Promise<void>
}

/** Malformed messages go to the dead-letter topic at once, with 0 attempts: retrying cannot parse them. */
export async function deadLetterMalformed (malformed: Malformed[], { topic, partition, consumer, metrics, deadLetter }: MalformedSink): Promise<void> {
  for (const { message, error, log } of malformed) {
    log.warn({ error }, 'malformed message sent to the dead-letter topic')
    await deadLetter({ topic, partition, message, consumer, error, attempts: 0 })
    metrics.messages.inc({ consumer, topic, outcome: 'dead_lettered' })
  }
}
