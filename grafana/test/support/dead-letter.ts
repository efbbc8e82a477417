import pino from 'pino'
import { createKafka, deadLetterTopic, purgeDeadLetters, topicDepth } from '@lab/messaging'
import { address } from '../../../infra/topology.js'

const TOPIC = 'orders.placed.v1'

/**
 * A message that is not an envelope, published to the lab's orders.placed.v1: its consumers (payments,
 * notifications) park it in the dead-letter topic at once, and DeadLetterQueueNotEmpty fires (no `for:`),
 * so ALERTS has a firing series for the panels that show firing alerts. `clear()` empties the
 * dead-letter topic again, only if it held nothing before: a running lab's own dead letters stay.
 */
export async function parkDeadLetter (): Promise<{ topic: string, clear: () => Promise<void> }> {
  const kafka = createKafka({ clientId: 'lab-dashboards-test', brokers: [address('kafka', 'native')], log: pino({ level: 'silent' }) })
  const topic = deadLetterTopic(TOPIC)
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer()
  try {
    const heldBefore = (await admin.listTopics()).includes(topic) ? await topicDepth(admin, topic) : 0
    await producer.connect()
    await producer.send({ topic: TOPIC, messages: [{ key: 'dashboards-test', value: 'not an envelope' }] })
    return {
      topic,
      clear: async () => {
        if (heldBefore > 0) return
        const cleaner = kafka.admin()
        await cleaner.connect()
        try { await purgeDeadLetters(cleaner, topic) } finally { await cleaner.disconnect() }
      }
    }
  } finally {
    await producer.disconnect()
    await admin.disconnect()
  }
}
