import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, Kafka } from 'kafkajs'
import type { FinalState } from './match.js'

export interface FinalStateListener {
  /** The first final state seen for each order id, since the listener started. */
  finals: Map<string, FinalState>
  /**
   * Resolves once every id in `ids` has a final state, or when none arrived for `idleMs` (some
   * never will); `onProgress` gets the count settled about once a second.
   */
  waitFor: (ids: Iterable<string>, idleMs: number, onProgress?: (settled: number, total: number) => void) => Promise<void>
  stop: () => Promise<void>
}

interface OrderEvent { data?: { orderId?: unknown, reason?: unknown } }

/**
 * A consumer of orders.confirmed.v1 and orders.cancelled.v1 in a group of its own that starts at the
 * end of the topics (fromBeginning false): only the events of orders placed after it started. Resolves
 * once the first fetch went out, which is when kafkajs resolves a new group's offsets to the end
 * (consumerGroup.fetch → seekOffsets → resolveOffsets): an event produced after that is seen.
 */
export async function listenForFinalStates (kafka: Kafka, topics: { confirmed: string, cancelled: string }): Promise<FinalStateListener> {
  const finals = new Map<string, FinalState>()
  let lastArrival = performance.now()
  const groupId = `bench-checkout-${randomBytes(6).toString('hex')}`
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 })
  const fetched = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.FETCH, () => { off(); resolve() })
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topics.confirmed, topics.cancelled], fromBeginning: false })
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const at = performance.now()
      const event = JSON.parse(message.value?.toString() ?? '{}') as OrderEvent
      const orderId = event.data?.orderId
      if (typeof orderId !== 'string' || finals.has(orderId)) return
      const status = topic === topics.confirmed ? 'confirmed' : 'cancelled'
      finals.set(orderId, { status, at, ...(typeof event.data?.reason === 'string' ? { reason: event.data.reason } : {}) })
      lastArrival = at
    }
  })
  const timeout = AbortSignal.timeout(30_000)
  await Promise.race([fetched, new Promise((_resolve, reject) => {
    timeout.addEventListener('abort', () => { reject(new Error('the bench consumer of the order events did not fetch within 30 s')) })
  })]).catch(async (err: unknown) => { await consumer.disconnect(); throw err })
  return {
    finals,
    waitFor: async (ids, idleMs, onProgress) => {
      const wanted = [...ids]
      lastArrival = Math.max(lastArrival, performance.now())
      for (let tick = 0; ; tick++) {
        const settled = wanted.reduce((n, id) => n + (finals.has(id) ? 1 : 0), 0)
        if (tick % 10 === 0) onProgress?.(settled, wanted.length)
        if (settled === wanted.length || performance.now() - lastArrival > idleMs) return
        await sleep(100)
      }
    },
    stop: async () => {
      await consumer.disconnect()
      // The group and its committed offsets would otherwise stay on the broker for a week.
      const admin = kafka.admin()
      await admin.connect()
      await admin.deleteGroups([groupId]).finally(async () => { await admin.disconnect() })
    }
  }
}
