import { testInfra, uniqueName } from '@lab/testkit'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The native broker does what the services rely on: a topic created up front, a message produced with
 * headers, and the same message consumed by a fresh consumer group.
 */
describe('kafka broker (native or container)', () => {
  const topic = uniqueName('smoke')
  let kafka: kafkajs.Kafka
  let admin: kafkajs.Admin

  beforeAll(async () => {
    kafka = new kafkajs.Kafka({ clientId: 'kafka-smoke', brokers: testInfra().kafkaBrokers, logLevel: kafkajs.logLevel.WARN })
    admin = kafka.admin()
    await admin.connect()
    // Up front, waiting for leaders: auto-creation on KRaft may briefly answer "does not host this topic-partition".
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  })

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.disconnect()
  })

  it('delivers a produced message, payload and headers intact, to a new consumer group', async () => {
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner })
    await producer.connect()
    await producer.send({ topic, messages: [{ key: 'order-1', value: JSON.stringify({ total: 42 }), headers: { 'x-request-id': 'req-smoke-1' } }] })
    await producer.disconnect()

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') })
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      const received = await new Promise<kafkajs.KafkaMessage>((resolve, reject) => {
        consumer.run({ eachMessage: async ({ message }) => { resolve(message) } }).catch(reject)
      })
      expect(received.key?.toString()).toBe('order-1')
      expect(JSON.parse(received.value?.toString() ?? 'null')).toEqual({ total: 42 })
      expect(received.headers?.['x-request-id']?.toString()).toBe('req-smoke-1')
    } finally {
      await consumer.disconnect()
    }
  })
})
