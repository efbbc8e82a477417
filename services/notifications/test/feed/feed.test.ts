import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Producer } from 'kafkajs'
import { randomUUID } from 'node:crypto'
import { createDatabase, metricValue, type TestDatabase } from '@lab/testkit'
import { buildNotifications, eventually, notificationsEnv, type NotificationsUnderTest } from '../build.js'
import { eventMessage, produce, testKafka } from '../kafka.js'
import { openFeed, type FeedClient, type SseEvent } from '../sse-client.js'

let db: TestDatabase
let service: NotificationsUnderTest
let baseUrl: string
let producer: Producer
let prefix: string
const clients: FeedClient[] = []

beforeAll(async () => {
  db = await createDatabase('notifications_feed')
  const env = notificationsEnv(db)
  prefix = env.TOPIC_PREFIX ?? ''
  service = await buildNotifications(env)
  baseUrl = await service.app.listen({ host: '127.0.0.1', port: 0 })
  producer = testKafka().producer()
  await producer.connect()
})

afterAll(async () => {
  for (const client of clients) client.close()
  await producer?.disconnect()
  await service?.app.close()
  await db?.drop()
})

async function connect (url: string, headers: Record<string, string> = {}): Promise<FeedClient> {
  const client = await openFeed(url, headers)
  clients.push(client)
  return client
}

function confirmed (orderId: string) {
  return eventMessage(`${prefix}orders.confirmed.v1`, 'orders.confirmed.v1', orderId, { orderId })
}

async function stored (id: string): Promise<true | undefined> {
  const res = await service.app.inject({ method: 'GET', url: `/notifications/${id}` })
  return res.statusCode === 200 ? true : undefined
}

const forOrder = (events: SseEvent[], orderId: string) => events.filter((e) => (JSON.parse(e.data) as { orderId: string }).orderId === orderId)

describe('GET /feed streams notifications as Server-Sent Events', () => {
  it('delivers a notification produced after the client connected', async () => {
    const client = await connect(`${baseUrl}/feed`)
    expect(client.statusCode).toBe(200)
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    await eventually(async () => await metricValue(service.registry, 'sse_clients') === 1 ? true : undefined, 5000, 'the client counted')

    const orderId = randomUUID()
    const message = confirmed(orderId)
    await produce(producer, message)
    const [event] = await client.waitForEvents(1)
    expect(event).toEqual({ event: 'notification', id: message.id, data: expect.any(String) })
    expect(JSON.parse(event?.data ?? '')).toMatchObject({ id: message.id, type: 'orders.confirmed.v1', orderId, channel: 'email', message: `Order ${orderId.slice(0, 8)}… confirmed` })
  })

  it('replays the notifications missed since Last-Event-ID, then streams live ones, each once', async () => {
    const orderId = randomUUID()
    // One key, so one partition: the three arrive (and are numbered) in this order.
    const missed = [confirmed(orderId), confirmed(orderId), confirmed(orderId)]
    await produce(producer, ...missed)
    for (const m of missed) await eventually(async () => await stored(m.id), 20_000, 'the missed notifications stored')

    const client = await connect(`${baseUrl}/feed`, { 'last-event-id': missed[0]?.id ?? '' })
    const replayed = await client.waitForEvents(2)
    expect(replayed.map((e) => e.id)).toEqual([missed[1]?.id, missed[2]?.id])

    const live = confirmed(orderId)
    await produce(producer, live)
    await client.waitForEvents(3)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(forOrder(client.events, orderId).map((e) => e.id)).toEqual([missed[1]?.id, missed[2]?.id, live.id])
  })

  it('streams on a replica what another replica consumed (LISTEN/NOTIFY), keeps idle streams alive and cleans up', async () => {
    // Same database, but topics of its own: this replica's consumer never sees our events.
    const replica = await buildNotifications(notificationsEnv(db, { SSE_KEEPALIVE_MS: '200' }))
    try {
      const replicaUrl = await replica.app.listen({ host: '127.0.0.1', port: 0 })
      const client = await connect(`${replicaUrl}/feed`)
      await client.waitForComment('keep-alive')
      expect(await metricValue(replica.registry, 'sse_clients')).toBe(1)

      const orderId = randomUUID()
      const message = confirmed(orderId)
      await produce(producer, message)
      await eventually(async () => forOrder(client.events, orderId).length === 1 ? true : undefined, 20_000, 'the event on the replica')
      expect(await metricValue(replica.registry, 'notifications_total')).toBe(0)

      client.close()
      await eventually(async () => await metricValue(replica.registry, 'sse_clients') === 0 ? true : undefined, 5000, 'the client gone')
      expect(await metricValue(replica.registry, 'sse_disconnects_total', { reason: 'client' })).toBe(1)

      // A stream never ends by itself: closing the app must end it rather than wait for it.
      const open = await connect(`${replicaUrl}/feed`)
      await eventually(async () => await metricValue(replica.registry, 'sse_clients') === 1 ? true : undefined, 5000, 'the second client')
      const started = Date.now()
      await replica.app.close()
      expect(Date.now() - started).toBeLessThan(5000)
      expect(await metricValue(replica.registry, 'sse_disconnects_total', { reason: 'shutdown' })).toBe(1)
      open.close()
    } finally {
      await replica.app.close()
    }
  })
})
