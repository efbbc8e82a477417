import { pino } from 'pino'
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs'
import { createEnvelope, createKafka } from '@lab/messaging'
import { testInfra, uniqueName } from '@lab/testkit'

/** A Kafka client for the tests themselves (the producer of events, the reader of dead letters). */
export function testKafka (): Kafka {
  return createKafka({ clientId: uniqueName('notifications-test-client'), brokers: testInfra().kafkaBrokers, log: pino({ level: 'silent' }) })
}

export interface Produced {
  topic: string
  key: string
  value: string
  headers?: Record<string, string>
  /** Pin a partition, to put a bad message and the next good one in the same queue. */
  partition?: number
}

/** One message as the checkout's producers write it: key, JSON envelope, request id header. */
export function eventMessage (topic: string, type: string, key: string, data: unknown, id?: string): Produced & { id: string } {
  const envelope = createEnvelope(type, key, data, id)
  return {
    id: envelope.id,
    topic,
    key,
    value: JSON.stringify(envelope),
    headers: { 'x-request-id': uniqueName('req'), 'content-type': 'application/json' }
  }
}

export async function produce (producer: Producer, ...messages: Produced[]): Promise<void> {
  for (const m of messages) {
    await producer.send({ topic: m.topic, acks: -1, messages: [{ key: m.key, value: m.value, headers: m.headers, partition: m.partition }] })
  }
}

export interface DeadLetterReader {
  /** Waits until `count` dead letters arrived; returns all received so far. */
  waitFor: (count: number, timeoutMs?: number) => Promise<KafkaMessage[]>
  close: () => Promise<void>
}

/** Reads dead-letter topics from the beginning with a group of its own. */
export async function readDeadLetters (kafka: Kafka, topics: string[]): Promise<DeadLetterReader> {
  const received: KafkaMessage[] = []
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') })
  await consumer.connect()
  await consumer.subscribe({ topics, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => { received.push(message) } })
  return {
    waitFor: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} dead letters, got ${received.length}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return [...received]
    },
    close: async () => { await consumer.disconnect() }
  }
}

export function header (headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name]
  const first = Array.isArray(value) ? value[0] : value
  return first?.toString()
}
