import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import { orderIdForKey } from '../../src/ids.js'
import { expectErrorBody, metricValue, purchase, secondAfter, sql, startOrdersWithInventory, type OrdersUnderTest } from '../build.js'
import type { Inventory } from '../inventory.js'

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest

beforeAllWithTeardown(async () => {
  ;({ db, inventory, orders } = await startOrdersWithInventory('orders_place'))
})

/** POST /orders with a fresh Idempotency-Key, or the given one, or none (null). */
async function post (body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) {
  return await orders.app.inject({ method: 'POST', url: '/orders', headers: { ...(key === null ? {} : { 'idempotency-key': key }), ...headers }, payload: body as object })
}

async function outboxRows (orderId: string) {
  return await sql<{ topic: string, headers: Record<string, string> }>(db, 'SELECT topic, headers FROM outbox WHERE key = $1', [orderId])
}

describe('POST /orders', () => {
  it('reserves the stock, stores a pending order and its orders.placed.v1 event in one go', async () => {
    await inventory.setStock(1, 100, 1250)
    const res = await post(purchase(1, 3), randomUUID(), { 'x-request-id': 'req-place-1' })
    expect(res.statusCode).toBe(201)
    const order = res.json()
    expect(order).toMatchObject({ customerId: 'c-0042', productId: 1, quantity: 3, amountCents: 3750, paymentMethod: 'wallet', status: 'pending', cancelReason: null, version: 1 })
    expect(order.reservationId).toBe(order.id)
    expect((await inventory.stock(1))).toMatchObject({ available: 97, reserved: 3 })
    const events = await outboxRows(order.id)
    expect(events).toHaveLength(1)
    expect(events[0]?.topic).toBe(orders.topics.placed)
    // The HTTP request id travels with the event, for the consumers' logs.
    expect(events[0]?.headers['x-request-id']).toBe('req-place-1')
    const read = await orders.app.inject({ method: 'GET', url: `/orders/${order.id as string}` })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual(order)
  })

  it('answers a retry with the same key and body with the same order, reserving and publishing nothing more', async () => {
    await inventory.setStock(2, 100)
    const key = randomUUID()
    const replaysBefore = await metricValue(orders.registry, 'idempotent_replays_total', { service: 'orders' })
    const placedBefore = await metricValue(orders.registry, 'orders_placed_total')
    const first = await post(purchase(2, 2), key)
    const second = await post(purchase(2, 2), key)
    const third = await post(purchase(2, 2), key)
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(third.json()).toEqual(first.json())
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(await inventory.stock(2)).toMatchObject({ available: 98, reserved: 2 })
    expect(await outboxRows(first.json().id)).toHaveLength(1)
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 2')).toHaveLength(1)
    expect(await metricValue(orders.registry, 'idempotent_replays_total', { service: 'orders' }) - replaysBefore).toBe(2)
    expect(await metricValue(orders.registry, 'orders_placed_total') - placedBefore).toBe(1)
  })

  it("replays a bare key's order to a retry sending the same key as the draft's quoted string, and the other way round", async () => {
    await inventory.setStock(9, 100)
    const key = randomUUID()
    const bare = await post(purchase(9, 1), key)
    const quoted = await post(purchase(9, 1), `"${key}"`)
    expect(bare.statusCode).toBe(201)
    expect(quoted.statusCode).toBe(201)
    expect(quoted.json()).toEqual(bare.json())
    expect(quoted.headers['idempotent-replayed']).toBe('true')
    const quotedFirst = randomUUID()
    const first = await post(purchase(9, 2), `"${quotedFirst}"`)
    const bareRetry = await post(purchase(9, 2), quotedFirst)
    expect(bareRetry.json()).toEqual(first.json())
    expect(bareRetry.headers['idempotent-replayed']).toBe('true')
    expect(first.json().id).toBe(orderIdForKey(quotedFirst))
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 9')).toHaveLength(2)
    expect(await inventory.stock(9)).toMatchObject({ available: 97, reserved: 3 })
  })

  it('rejects the same key with a different body (422) and changes nothing', async () => {
    await inventory.setStock(3, 100)
    const key = randomUUID()
    expect((await post(purchase(3, 1), key)).statusCode).toBe(201)
    const other = await post(purchase(3, 5), key)
    expect(other.statusCode).toBe(422)
    expectErrorBody(other.json(), 422, 'IDEMPOTENCY_KEY_REUSED')
    expect(await inventory.stock(3)).toMatchObject({ available: 99, reserved: 1 })
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 3')).toHaveLength(1)
  })

  it('answers a request racing an in-flight one with the same key with 409, and places one order', async () => {
    await inventory.setStock(4, 100)
    const key = randomUUID()
    // The first request's transaction held open (its order's INSERT sleeps) when the second comes. Not
    // inventory slowed, as before: the reservation is made before the key's transaction now, so a
    // duplicate arriving while inventory answers gets the same reservation and, later, the replay.
    await sql(db, `CREATE FUNCTION slow_order () RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.8); RETURN NEW; END $$`)
    await sql(db, 'CREATE TRIGGER slow_product_4 BEFORE INSERT ON orders FOR EACH ROW WHEN (NEW.product_id = 4) EXECUTE FUNCTION slow_order()')
    let first, second
    try {
      [first, second] = await secondAfter(400, async () => await post(purchase(4, 1), key), async () => await post(purchase(4, 1), key))
    } finally {
      await sql(db, 'DROP TRIGGER slow_product_4 ON orders')
      await sql(db, 'DROP FUNCTION slow_order')
    }
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(409)
    expectErrorBody(second.json(), 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')
    // The 409'd duplicate got the first's reservation from inventory too, and left it to the first.
    expect(await inventory.stock(4)).toMatchObject({ available: 99, reserved: 1 })
    // Once the first finished, the same key is a plain replay.
    const later = await post(purchase(4, 1), key)
    expect(later.statusCode).toBe(201)
    expect(later.headers['idempotent-replayed']).toBe('true')
  })

  it('requires an Idempotency-Key (400) and stores nothing without one', async () => {
    const res = await post(purchase(5, 1), null)
    expect(res.statusCode).toBe(400)
    expectErrorBody(res.json(), 400, 'IDEMPOTENCY_KEY_MISSING')
    expect(await inventory.stock(5)).toMatchObject({ available: 100, reserved: 0 })
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 5')).toHaveLength(0)
  })

  it.each([
    ['a customer id of the wrong form', { customerId: 'bob' }],
    ['a zero quantity', { quantity: 0 }],
    ['a negative quantity', { quantity: -2 }],
    ['a quantity over 100', { quantity: 101 }],
    ['a fractional quantity', { quantity: 1.5 }],
    ['a quantity as a string', { quantity: '2' }],
    ['a product id of 0', { productId: 0 }],
    ['an unknown payment method', { paymentMethod: 'cash' }],
    ['an unknown field', { coupon: 'FREE' }],
    ['a missing field', { paymentMethod: undefined }]
  ])('rejects %s (400) and stores nothing', async (_name, change) => {
    const res = await post({ ...purchase(6, 1), ...change })
    expect(res.statusCode).toBe(400)
    expectErrorBody(res.json(), 400, 'VALIDATION_FAILED')
    expect(await inventory.stock(6)).toMatchObject({ available: 100, reserved: 0 })
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 6')).toHaveLength(0)
  })

  it('rejects malformed JSON (400) and a key that is not printable ASCII (400)', async () => {
    const malformed = await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' }, payload: '{"customerId": "c-0001"' })
    expect(malformed.statusCode).toBe(400)
    expectErrorBody(malformed.json(), 400, 'FST_ERR_CTP_INVALID_JSON_BODY')
    const badKey = await post(purchase(6, 1), 'x'.repeat(300))
    expect(badKey.statusCode).toBe(400)
    expectErrorBody(badKey.json(), 400, 'IDEMPOTENCY_KEY_INVALID')
    // The draft's quoted form, malformed: an unclosed quote, an escape RFC 9651 does not define.
    for (const malformedKey of [`"${randomUUID()}`, `"${randomUUID()}\\n"`]) {
      const res = await post(purchase(6, 1), malformedKey)
      expect(res.statusCode, malformedKey).toBe(400)
      expectErrorBody(res.json(), 400, 'IDEMPOTENCY_KEY_INVALID')
    }
  })

  it('answers an unknown product with 422 and an order beyond the stock with 409, storing no order', async () => {
    const unknown = await post(purchase(999, 1))
    expect(unknown.statusCode).toBe(422)
    expectErrorBody(unknown.json(), 422, 'ORDERS_UNKNOWN_PRODUCT')
    await inventory.setStock(7, 2)
    const tooMany = await post(purchase(7, 3))
    expect(tooMany.statusCode).toBe(409)
    expectErrorBody(tooMany.json(), 409, 'ORDERS_OUT_OF_STOCK')
    expect(await inventory.stock(7)).toMatchObject({ available: 2, reserved: 0 })
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id IN (7, 999)')).toHaveLength(0)
    expect(await sql(db, "SELECT id FROM outbox WHERE envelope->'data'->>'productId' IN ('7', '999')")).toHaveLength(0)
  })

  it('answers GET of an unknown order with 404 and of a malformed id with 400', async () => {
    const missing = await orders.app.inject({ method: 'GET', url: `/orders/${randomUUID()}` })
    expect(missing.statusCode).toBe(404)
    expectErrorBody(missing.json(), 404, 'ORDERS_NOT_FOUND')
    const malformed = await orders.app.inject({ method: 'GET', url: '/orders/not-a-uuid' })
    expect(malformed.statusCode).toBe(400)
  })

  it('gives the stock back when the order cannot be stored after the reservation', async () => {
    await inventory.setStock(8, 100)
    // A real failure of the order's transaction, after inventory reserved: Postgres refuses the row.
    await sql(db, `CREATE FUNCTION refuse_order () RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
    await sql(db, 'CREATE TRIGGER refuse_product_8 BEFORE INSERT ON orders FOR EACH ROW WHEN (NEW.product_id = 8) EXECUTE FUNCTION refuse_order()')
    try {
      const key = randomUUID()
      const res = await post(purchase(8, 4), key)
      expect(res.statusCode).toBe(500)
      expectErrorBody(res.json(), 500, 'INTERNAL_ERROR')
      expect(await inventory.stock(8)).toMatchObject({ available: 100, reserved: 0 })
      expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 8')).toHaveLength(0)
      expect(await sql(db, "SELECT id FROM outbox WHERE envelope->'data'->>'productId' = '8'")).toHaveLength(0)
      // Given back at once: no release is left owed.
      expect(await sql(db, 'SELECT 1 FROM stock_releases WHERE reservation_id = $1', [orderIdForKey(key)])).toHaveLength(0)
      // Its reservation is gone, and the key was closed before it went: a retry with it is told to use a new key.
      const retry = await post(purchase(8, 4), key)
      expect(retry.statusCode).toBe(422)
      expectErrorBody(retry.json(), 422, 'ORDERS_KEY_ALREADY_USED')
      expect(retry.headers['idempotent-replayed']).toBe('true')
    } finally {
      await sql(db, 'DROP TRIGGER refuse_product_8 ON orders')
    }
  })

  it('counts placed orders by state', async () => {
    const pending = await metricValue(orders.registry, 'orders_total', { status: 'pending' })
    const placed = await metricValue(orders.registry, 'orders_placed_total')
    expect(pending).toBe(placed)
    expect(placed).toBeGreaterThanOrEqual(4)
  })
})
