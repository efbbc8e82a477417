import type { IHeaders, KafkaMessage, Producer } from 'kafkajs'

const DEAD_LETTER_SUFFIX = '.dlq.v1'

/** `orders.placed.v1` → `orders.placed.v1.dlq.v1`. */
export function deadLetterTopic (topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`
}

/** Whether a topic is one of our dead-letter topics (named by deadLetterTopic). */
export function isDeadLetterTopic (topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX) && topic.length > DEAD_LETTER_SUFFIX.length
}

export interface DeadLetter {
  topic: string
  partition: number
  message: KafkaMessage
  consumer: string
  error: string
  attempts: number
}

/**
 * Park a message nobody can process: the original key, value and headers, plus why (`x-error`), how
 * many handler attempts failed (`x-attempts`, 0 for a message that could not be parsed) and where it
 * came from, so an operator can inspect it and replay it into the original topic.
 */
export async function sendToDeadLetter (producer: Producer, { topic, partition, message, consumer, error, attempts }: DeadLetter): Promise<void> {
  const headers: IHeaders = {
    ...message.headers,
    'x-error': error.slice(0, 1000),
    'x-attempts': String(attempts),
    'x-consumer': consumer,
    'x-original-topic': topic,
    'x-original-partition': String(partition),
    'x-original-offset': message.offset
  }
  await producer.send({
    topic: deadLetterTopic(topic),
    acks: -1,
    messages: [{ key: message.key, value: message.value, headers }]
  })
}

/** A header's value as a string (kafkajs hands out Buffers). */
export function headerValue (headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name]
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined ? undefined : first.toString()
}
