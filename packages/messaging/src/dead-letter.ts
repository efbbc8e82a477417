import type { IHeaders, KafkaMessage, Producer } from 'kafkajs'
import { deadLetterTopic, isDeadLetterTopic } from '@lab/contracts'

/** The naming rule of dead-letter topics lives with the other contracts: services create and read them too. */
export { deadLetterTopic, isDeadLetterTopic }

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
