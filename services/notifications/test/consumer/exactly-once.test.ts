import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Producer } from 'kafkajs'
import { randomUUID } from 'node:crypto'
import { createDatabase, metricValue, type TestDatabase } from '@lab/testkit'
import { buildNotifications, eventually, notificationsEnv, type NotificationsUnderTest } from '../build.js'
import { eventMessage, produce, testKafka } from '../kafka.js'
import { checkoutEvents } from '../events.js'
import { EVENT_TYPES } from '../../src/topics.js'

let db: TestDatabase
let service: NotificationsUnderTest
let producer: Producer
let prefix: string

beforeAll(async () => {
  db = await createDatabase('notifications_once')
  const env = notificationsEnv(db)
  prefix = env.TOPIC_PREFIX ?? ''
  service = await buildNotifications(env)
  producer = testKafka().producer()
  await producer.connect()
})

afterAll(async () => {
  await producer?.disconnect()
  await service?.app.close()
  await db?.drop()
})

const processed = async (outcome: string) => await metricValue(service.registry, 'consumer_messages_total', { consumer: 'notifications', outcome })

describe('one notification per checkout event', () => {
  it('writes exactly one notification for each of the five events, even when each is produced twice', async () => {
    const orderId = randomUUID()
    const data = checkoutEvents(orderId)
    const messages = EVENT_TYPES.map((type) => eventMessage(`${prefix}${type}`, type, orderId, data[type]))
    // Each one twice: what a producer retrying after a lost ack, or an outbox relay crashing between
    // publish and mark-as-sent, does. The second copy has the same envelope id.
    await produce(producer, ...messages, ...messages)

    await eventually(async () => (await processed('processed')) + (await processed('duplicate')) >= 10 ? true : undefined, 30_000, '10 messages handled')
    expect(await processed('processed')).toBe(5)
    expect(await processed('duplicate')).toBe(5)

    const res = await service.app.inject({ method: 'GET', url: `/notifications?orderId=${orderId}` })
    expect(res.statusCode).toBe(200)
    const { items } = res.json<{ items: Array<{ id: string, type: string, message: string, channel: string, orderId: string, requestId: string }> }>()
    expect(items).toHaveLength(5)
    expect(new Set(items.map((n) => n.id))).toEqual(new Set(messages.map((m) => m.id)))
    expect(new Set(items.map((n) => n.type))).toEqual(new Set(EVENT_TYPES))
    for (const n of items) {
      expect(n.orderId).toBe(orderId)
      expect(n.channel).toBe('email')
      expect(n.message).toContain(orderId.slice(0, 8))
      expect(n.requestId).toBe(messages.find((m) => m.id === n.id)?.headers?.['x-request-id'])
    }
    expect(items.find((n) => n.type === 'orders.confirmed.v1')?.message).toBe(`Order ${orderId.slice(0, 8)}… confirmed`)
    expect(items.find((n) => n.type === 'payments.succeeded.v1')?.message).toBe(`Payment of €24.98 by wallet for order ${orderId.slice(0, 8)}… succeeded`)
    for (const type of EVENT_TYPES) expect(await metricValue(service.registry, 'notifications_total', { type })).toBe(1)
  })

  it('keeps the one notification when the same event comes back much later', async () => {
    const orderId = randomUUID()
    const message = eventMessage(`${prefix}orders.confirmed.v1`, 'orders.confirmed.v1', orderId, { orderId })
    const before = await processed('duplicate')
    await produce(producer, message)
    const one = await eventually(async () => {
      const res = await service.app.inject({ method: 'GET', url: `/notifications/${message.id}` })
      return res.statusCode === 200 ? res.json<{ id: string, createdAt: string }>() : undefined
    }, 20_000, 'the notification')
    await produce(producer, message)
    await eventually(async () => (await processed('duplicate')) > before ? true : undefined, 20_000, 'the duplicate skipped')
    const again = await service.app.inject({ method: 'GET', url: `/notifications?orderId=${orderId}` })
    expect(again.json<{ items: unknown[] }>().items).toEqual([expect.objectContaining({ id: one.id, createdAt: one.createdAt })])
  })
})
