import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kafka, Producer } from 'kafkajs'
import { randomUUID } from 'node:crypto'
import { deadLetterTopic } from '@lab/messaging'
import { createDatabase, metricValue, type TestDatabase } from '@lab/testkit'
import { buildNotifications, eventually, notificationsEnv, type NotificationsUnderTest } from '../build.js'
import { eventMessage, header, produce, readDeadLetters, testKafka, type DeadLetterReader } from '../kafka.js'
import { checkoutEvents } from '../events.js'
import { EVENT_TYPES } from '../../src/topics.js'

let db: TestDatabase
let service: NotificationsUnderTest
let kafka: Kafka
let producer: Producer
let deadLetters: DeadLetterReader
let prefix: string
const MAX_ATTEMPTS = 3

beforeAll(async () => {
  db = await createDatabase('notifications_dlq')
  // Quiet: this file fails messages on purpose, and the consumer logs each failure as an error.
  const env = notificationsEnv(db, { CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS), LOG_LEVEL: 'fatal' })
  prefix = env.TOPIC_PREFIX ?? ''
  service = await buildNotifications(env)
  kafka = testKafka()
  producer = kafka.producer()
  await producer.connect()
  // The service created the dead-letter topics when it started.
  deadLetters = await readDeadLetters(kafka, EVENT_TYPES.map((type) => deadLetterTopic(`${prefix}${type}`)))
})

afterAll(async () => {
  await deadLetters?.close()
  await producer?.disconnect()
  await service?.app.close()
  await db?.drop()
})

async function notificationExists (id: string): Promise<true | undefined> {
  const res = await service.app.inject({ method: 'GET', url: `/notifications/${id}` })
  return res.statusCode === 200 ? true : undefined
}

const topic = (type: string) => `${prefix}${type}`

describe('poison messages go to the dead-letter topic and the consumer keeps going', () => {
  it('parks malformed JSON at once, with the error, and processes the next message of the partition', async () => {
    const orderId = randomUUID()
    await produce(producer, { topic: topic('orders.placed.v1'), key: orderId, value: '{"id": "not json', partition: 0, headers: { 'x-request-id': 'malformed-1' } })
    const good = { ...eventMessage(topic('orders.placed.v1'), 'orders.placed.v1', orderId, checkoutEvents(orderId)['orders.placed.v1']), partition: 0 }
    await produce(producer, good)

    await eventually(async () => await notificationExists(good.id), 20_000, 'the good message processed')
    const [letter] = await deadLetters.waitFor(1)
    expect(letter?.value?.toString()).toBe('{"id": "not json')
    expect(letter?.key?.toString()).toBe(orderId)
    expect(header(letter?.headers, 'x-error')).toMatch(/^malformed JSON/)
    expect(header(letter?.headers, 'x-attempts')).toBe('0')
    expect(header(letter?.headers, 'x-request-id')).toBe('malformed-1')
    expect(await metricValue(service.registry, 'dlq_messages_total', { consumer: 'notifications', topic: topic('orders.placed.v1') })).toBe(1)
  })

  it('retries an event whose data it cannot understand, then parks it with the reason', async () => {
    const orderId = randomUUID()
    const bad = { ...eventMessage(topic('payments.succeeded.v1'), 'payments.succeeded.v1', orderId, { orderId, amountCents: '12.50', method: 'wallet' }), partition: 1 }
    const good = { ...eventMessage(topic('payments.succeeded.v1'), 'payments.succeeded.v1', orderId, checkoutEvents(orderId)['payments.succeeded.v1']), partition: 1 }
    await produce(producer, bad, good)

    await eventually(async () => await notificationExists(good.id), 20_000, 'the good message processed')
    const letters = await deadLetters.waitFor(2)
    const letter = letters.find((m) => m.value?.toString().includes(bad.id))
    expect(header(letter?.headers, 'x-error')).toMatch(/^NOTIFICATIONS_EVENT_DATA_INVALID: payments\.succeeded\.v1 data invalid: \/paymentId/)
    expect(header(letter?.headers, 'x-attempts')).toBe(String(MAX_ATTEMPTS))
    expect(await notificationExists(bad.id)).toBeUndefined()
    expect(await metricValue(service.registry, 'consumer_messages_total', { topic: topic('payments.succeeded.v1'), outcome: 'retried' })).toBe(MAX_ATTEMPTS - 1)
  })

  it('fails every message with the poison key (PUT /admin/faults) until the flag is cleared; other messages are processed', async () => {
    const poisoned = randomUUID()
    const healthy = randomUUID()
    const on = await service.app.inject({ method: 'PUT', url: '/admin/faults', payload: { poisonKey: poisoned } })
    expect(on.statusCode).toBe(200)
    expect(on.json()).toEqual({ poisonKey: poisoned })

    const bad = { ...eventMessage(topic('orders.confirmed.v1'), 'orders.confirmed.v1', poisoned, { orderId: poisoned }), partition: 2 }
    const good = { ...eventMessage(topic('orders.confirmed.v1'), 'orders.confirmed.v1', healthy, { orderId: healthy }), partition: 2 }
    await produce(producer, bad, good)
    await eventually(async () => await notificationExists(good.id), 20_000, 'the healthy message processed')
    const letters = await deadLetters.waitFor(3)
    const letter = letters.find((m) => m.value?.toString().includes(bad.id))
    expect(header(letter?.headers, 'x-error')).toMatch(/^NOTIFICATIONS_POISON_KEY: /)
    expect(header(letter?.headers, 'x-attempts')).toBe(String(MAX_ATTEMPTS))
    expect(header(letter?.headers, 'x-original-topic')).toBe(topic('orders.confirmed.v1'))
    expect(await notificationExists(bad.id)).toBeUndefined()

    const off = await service.app.inject({ method: 'PUT', url: '/admin/faults', payload: {} })
    expect(off.json()).toEqual({})
    const later = eventMessage(topic('orders.cancelled.v1'), 'orders.cancelled.v1', poisoned, { orderId: poisoned, reason: 'out of stock', refundRequired: true })
    await produce(producer, later)
    await eventually(async () => await notificationExists(later.id), 20_000, 'the key processed again')
    expect(await metricValue(service.registry, 'dlq_messages_total', { consumer: 'notifications' })).toBe(3)
  })

  it('answers the fault flags and rejects bad ones (400)', async () => {
    expect((await service.app.inject({ method: 'GET', url: '/admin/faults' })).json()).toEqual({})
    for (const payload of [{ poisonKey: 12 }, { poisonKey: '' }, { latencyMs: 5 }]) {
      const res = await service.app.inject({ method: 'PUT', url: '/admin/faults', payload })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' })
    }
  })
})
