import { existsSync } from 'node:fs'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrivateKafka, uniqueName, type PrivateKafka } from '../src/index.js'

let broker: PrivateKafka

beforeAll(async () => { broker = await startPrivateKafka() })
afterAll(async () => { await broker?.remove() })

describe('startPrivateKafka', () => {
  it('really stops (connections refused) and starts again on the same address with its data', async () => {
    const kafka = new Kafka({ clientId: uniqueName('private-kafka-test'), brokers: broker.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 })
    const topic = uniqueName('private')
    const setup = kafka.admin()
    await setup.connect()
    await setup.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    await setup.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: [{ value: 'before the stop' }] })
    await producer.disconnect()

    await broker.stop()
    const admin = kafka.admin()
    await expect(admin.connect()).rejects.toThrow(/ECONNREFUSED|Connection/)

    await broker.start()
    await admin.connect()
    try {
      const offsets = await admin.fetchTopicOffsets(topic)
      expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1)
    } finally {
      await admin.disconnect()
    }
  }, 90_000)

  it('deletes its data dir on remove()', async () => {
    const other = await startPrivateKafka()
    const dir = other.dataDir // native mode only; Docker removes the container instead
    if (dir !== undefined) expect(existsSync(dir)).toBe(true)
    await other.remove()
    if (dir !== undefined) expect(existsSync(dir)).toBe(false)
  }, 90_000)
})
