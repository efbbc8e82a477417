import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { randomUUID } from 'node:crypto'
import { createDatabase, expectErrorBody, type TestDatabase } from '@lab/testkit'
import { buildNotifications, notificationsEnv, type NotificationsUnderTest } from '../build.js'
import { insertNotification } from '../../src/db/notifications.js'

let db: TestDatabase
let service: NotificationsUnderTest
const orderA = randomUUID()
const orderB = randomUUID()
/** Ids in insertion order (oldest first). */
const inserted: Array<{ id: string, orderId: string }> = []

beforeAll(async () => {
  db = await createDatabase('notifications_routes')
  service = await buildNotifications(notificationsEnv(db))
  // The read side does not care how rows got there: write them directly, as the consumer would.
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    for (let i = 0; i < 25; i++) {
      const orderId = i % 5 < 3 ? orderA : orderB
      const id = randomUUID()
      await insertNotification(client, { id, type: 'orders.confirmed.v1', key: orderId, orderId, message: `Order ${orderId.slice(0, 8)}… confirmed`, payload: { orderId }, requestId: `req-${i}` })
      inserted.push({ id, orderId })
    }
  } finally {
    await client.end()
  }
})

afterAll(async () => {
  await service?.app.close()
  await db?.drop()
})

interface Page { items: Array<{ id: string, orderId: string }>, nextCursor: string | null }

async function walk (query: string): Promise<Page[]> {
  const pages: Page[] = []
  let cursor: string | null = null
  do {
    const url = `/notifications?${query}${cursor === null ? '' : `&cursor=${cursor}`}`
    const res = await service.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(200)
    const page: Page = res.json()
    pages.push(page)
    cursor = page.nextCursor
  } while (cursor !== null)
  return pages
}

describe('GET /notifications pages newest first with an opaque cursor', () => {
  it('walks every notification once, in pages of `limit`', async () => {
    const pages = await walk('limit=10')
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5])
    expect(pages.flatMap((p) => p.items.map((n) => n.id))).toEqual(inserted.map((n) => n.id).reverse())
  })

  it('filters by order id', async () => {
    const pages = await walk(`orderId=${orderA}&limit=10`)
    expect(pages.map((p) => p.items.length)).toEqual([10, 5])
    expect(pages.flatMap((p) => p.items.map((n) => n.id))).toEqual(inserted.filter((n) => n.orderId === orderA).map((n) => n.id).reverse())
    const none = await service.app.inject({ method: 'GET', url: `/notifications?orderId=${randomUUID()}` })
    expect(none.json()).toEqual({ items: [], nextCursor: null })
  })

  it('answers one notification by id', async () => {
    const first = inserted[0]
    const res = await service.app.inject({ method: 'GET', url: `/notifications/${first?.id ?? ''}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      id: first?.id,
      type: 'orders.confirmed.v1',
      key: orderA,
      orderId: orderA,
      channel: 'email',
      message: `Order ${orderA.slice(0, 8)}… confirmed`,
      payload: { orderId: orderA },
      requestId: 'req-0',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    })
  })
})

describe('bad input is a 4xx with the JSON error body, never a 500', () => {
  it.each([
    ['a word as id', '/notifications/abc', 400, 'VALIDATION_FAILED'],
    ['a number as id', '/notifications/42', 400, 'VALIDATION_FAILED'],
    ['a uuid with junk', `/notifications/${randomUUID()}x`, 400, 'VALIDATION_FAILED'],
    ['an unknown id', `/notifications/${randomUUID()}`, 404, 'NOTIFICATIONS_NOT_FOUND'],
    ['limit 0', '/notifications?limit=0', 400, 'VALIDATION_FAILED'],
    ['limit 101', '/notifications?limit=101', 400, 'VALIDATION_FAILED'],
    ['a word as limit', '/notifications?limit=ten', 400, 'VALIDATION_FAILED'],
    ['an empty order id', '/notifications?orderId=', 400, 'VALIDATION_FAILED'],
    ['a NUL as order id (a 500 from PostgreSQL before)', '/notifications?orderId=%00', 400, 'INPUT_NUL_CHARACTER'],
    ['an unknown parameter', '/notifications?sort=asc', 400, 'VALIDATION_FAILED'],
    ['a cursor we did not issue', '/notifications?cursor=not-a-cursor', 400, 'NOTIFICATIONS_INVALID_CURSOR'],
    ['a cursor with a doctored position', `/notifications?cursor=${Buffer.from('n1:-1').toString('base64url')}`, 400, 'NOTIFICATIONS_INVALID_CURSOR'],
    ['a catalog cursor', `/notifications?cursor=${Buffer.from('p1:5').toString('base64url')}`, 400, 'NOTIFICATIONS_INVALID_CURSOR']
  ])('rejects %s', async (_name, url, status, code) => {
    const res = await service.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(status)
    expectErrorBody(res.json(), status, code)
  })

  it.each([
    ['a Last-Event-ID that is not an id', 'abc', 400, 'VALIDATION_FAILED'],
    ['a Last-Event-ID this feed never sent', randomUUID(), 404, 'NOTIFICATIONS_UNKNOWN_LAST_EVENT_ID']
  ])('rejects %s on GET /feed, before streaming', async (_name, lastEventId, status, code) => {
    const res = await service.app.inject({ method: 'GET', url: '/feed', headers: { 'last-event-id': lastEventId } })
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expectErrorBody(res.json(), status, code)
  })

  it('rejects fault flags that are not JSON (415)', async () => {
    const res = await service.app.inject({ method: 'PUT', url: '/admin/faults', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'poisonKey=x' })
    expect(res.statusCode).toBe(415)
    expectErrorBody(res.json(), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  })
})
