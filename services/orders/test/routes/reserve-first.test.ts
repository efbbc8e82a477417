import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, createProxy, endPool, registerTeardown, type TestDatabase, type TestProxy } from '@lab/testkit'
import { orderIdForKey } from '../../src/ids.js'
import { eventually, expectErrorBody, purchase, secondAfter, sql, startOrdersWithInventory, type OrdersUnderTest } from '../build.js'
import type { Inventory } from '../inventory.js'

/**
 * POST /orders makes its one remote call, the reservation at inventory, before the Idempotency-Key's
 * transaction (place-order.ts): what that promises, and what it must not break.
 */

let db: TestDatabase
let proxy: TestProxy
let inventory: Inventory
let orders: OrdersUnderTest
let watcher: pg.Pool

beforeAllWithTeardown(async () => {
  // Inventory reaches its database through Toxiproxy, so a test can make every reservation slow.
  proxy = await createProxy('postgres')
  registerTeardown(proxy.remove)
  ;({ db, inventory, orders } = await startOrdersWithInventory('orders_reserve_first', {
    inventoryDatabaseAddress: proxy.address,
    env: {
      // A slowed reservation (several round trips of 250 ms, a twin's optimistic retry) must not time out,
      // and the release retries while inventory is down must not open the breaker: neither is tested here.
      INVENTORY_TIMEOUT_MS: '10000',
      BREAKER_VOLUME_THRESHOLD: '1000',
      // A quick sweep and short retries, for the release owed while inventory is down.
      PAYMENT_TIMEOUT_SWEEP_MS: '200',
      STOCK_RELEASE_RETRY_MS: '100',
      STOCK_RELEASE_MAX_RETRY_MS: '500'
    }
  }))
  watcher = new pg.Pool({ connectionString: db.url, max: 1 })
  registerTeardown(async () => { await endPool(watcher) })
})

async function post (body: unknown, key: string = randomUUID()) {
  return await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': key }, payload: body as object })
}

const reservationsAtInventory = async (orderId: string) => await sql<{ status: string }>(inventory.db, 'SELECT status FROM reservations WHERE id = $1', [orderId])

/** Orders' database right now: connections idle inside an open transaction, and Idempotency-Key locks held (class 7433, key-table.ts). */
async function heldByOrders (): Promise<{ idleInTransaction: number, keyLocks: number }> {
  const { rows } = await watcher.query<{ idleInTransaction: number, keyLocks: number }>(`
    SELECT (SELECT count(*)::int FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%') AS "idleInTransaction",
           (SELECT count(*)::int FROM pg_locks
             WHERE locktype = 'advisory' AND classid = 7433 AND objsubid = 2 AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS "keyLocks"`)
  return rows[0] ?? { idleInTransaction: -1, keyLocks: -1 }
}

/**
 * An order of 2 of the product's 100 units whose INSERT waits, then is refused, after its reservation,
 * with inventory taken down meanwhile: answered 500, its key closed and its release owed. Inventory is
 * left down: the caller restarts it.
 */
async function orderRefusedWhileInventoryGoesDown (productId: number): Promise<{ key: string, orderId: string }> {
  await inventory.setStock(productId, 100)
  const key = randomUUID()
  await sql(db, `CREATE FUNCTION slow_refusal () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(1); RAISE EXCEPTION 'refused by the test'; END $$`)
  await sql(db, `CREATE TRIGGER slow_refusal BEFORE INSERT ON orders FOR EACH ROW WHEN (NEW.product_id = ${productId}) EXECUTE FUNCTION slow_refusal()`)
  try {
    const request = post(purchase(productId, 2), key)
    await eventually(async () => (await reservationsAtInventory(orderIdForKey(key))).length === 1, 5000, 'the reservation made')
    await inventory.stop()
    expect((await request).statusCode).toBe(500)
    return { key, orderId: orderIdForKey(key) }
  } finally {
    await sql(db, 'DROP TRIGGER slow_refusal ON orders')
    await sql(db, 'DROP FUNCTION slow_refusal')
  }
}

describe('POST /orders reserves at inventory before the key\'s transaction', () => {
  it('holds no orders-database transaction, connection in it or key lock while inventory answers', async () => {
    await inventory.setStock(1, 100)
    const key = randomUUID()
    const orderId = orderIdForKey(key)
    const whileReserving: Array<{ idleInTransaction: number, keyLocks: number }> = []
    await proxy.setLatency(250)
    try {
      const state = { done: false }
      const request = post(purchase(1, 1), key).finally(() => { state.done = true })
      while (!state.done) {
        const held = await heldByOrders()
        // Counted only if inventory had not stored the reservation yet, checked after the sample: the
        // order's own (short) transaction begins after that, so anything held now is held across the call.
        if ((await reservationsAtInventory(orderId)).length === 0) whileReserving.push(held)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect((await request).statusCode).toBe(201)
    } finally {
      await proxy.reset()
    }
    // Several round trips of 250 ms at inventory: the request was watched for most of them.
    expect(whileReserving.length).toBeGreaterThanOrEqual(5)
    expect(whileReserving.filter((s) => s.idleInTransaction > 0 || s.keyLocks > 0)).toEqual([])
  })

  it('answers a duplicate arriving while inventory answers the first with the first\'s order, reserving once', async () => {
    await inventory.setStock(2, 100)
    const key = randomUUID()
    await proxy.setLatency(250)
    let first, second
    try {
      [first, second] = await secondAfter(100, async () => await post(purchase(2, 1), key), async () => await post(purchase(2, 1), key))
    } finally {
      await proxy.reset()
    }
    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    // Inventory gave both the one reservation (idempotent on the order id); the second then met the
    // first's stored answer, or, had it come during the first's short transaction, a 409.
    if (second.statusCode === 201) {
      expect(second.headers['idempotent-replayed']).toBe('true')
      expect(second.json().id).toBe(first.json().id)
    } else {
      expectErrorBody(second.json(), 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')
    }
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 2')).toHaveLength(1)
    expect(await inventory.stock(2)).toMatchObject({ available: 99, reserved: 1 })
  })

  it('answers a retry of a stored out-of-stock with that 409 without asking inventory again', async () => {
    await inventory.setStock(3, 2)
    const key = randomUUID()
    const first = await post(purchase(3, 3), key)
    expect(first.statusCode).toBe(409)
    expectErrorBody(first.json(), 409, 'ORDERS_OUT_OF_STOCK')
    // Enough stock now: a reservation asked for would succeed.
    await inventory.setStock(3, 100)
    const retry = await post(purchase(3, 3), key)
    expect(retry.statusCode).toBe(409)
    expectErrorBody(retry.json(), 409, 'ORDERS_OUT_OF_STOCK')
    expect(retry.headers['idempotent-replayed']).toBe('true')
    // Inventory never saw a reservation under the order id: not made, not made and given back either.
    expect(await reservationsAtInventory(orderIdForKey(key))).toHaveLength(0)
    expect(await inventory.stock(3)).toMatchObject({ available: 100, reserved: 0 })
  })

  it('gives back the stock a duplicate reserved while the first attempt stored its out-of-stock answer under the key', async () => {
    await inventory.setStock(5, 0)
    const key = `slow-claim-${randomUUID()}`
    const orderId = orderIdForKey(key)
    // The first attempt's claim of the key (its row's INSERT) sleeps, holding the key's lock, with its
    // out-of-stock answer to store; meanwhile a unit comes back and a duplicate reserves it at inventory.
    await sql(db, `CREATE FUNCTION slow_claim () RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$`)
    await sql(db, "CREATE TRIGGER slow_claim BEFORE INSERT ON idempotency_keys FOR EACH ROW WHEN (NEW.key LIKE 'slow-claim-%') EXECUTE FUNCTION slow_claim()")
    try {
      const first = post(purchase(5, 1), key)
      await eventually(async () => (await heldByOrders()).keyLocks === 1, 5000, 'the first attempt holding the key')
      await inventory.setStock(5, 1)
      const duplicate = await post(purchase(5, 1), key)
      expectErrorBody(duplicate.json(), 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')
      expectErrorBody((await first).json(), 409, 'ORDERS_OUT_OF_STOCK')
    } finally {
      await sql(db, 'DROP TRIGGER slow_claim ON idempotency_keys')
      await sql(db, 'DROP FUNCTION slow_claim')
    }
    // The key answers out-of-stock for good, so no order will ever own the duplicate's reservation: it went back.
    expect(await reservationsAtInventory(orderId)).toEqual([{ status: 'released' }])
    expect(await inventory.stock(5)).toMatchObject({ available: 1, reserved: 0 })
    const retry = await post(purchase(5, 1), key)
    expectErrorBody(retry.json(), 409, 'ORDERS_OUT_OF_STOCK')
    expect(retry.headers['idempotent-replayed']).toBe('true')
  })

  it('leaves the key to the request inventory reserved for when the same key comes meanwhile with another body', async () => {
    await inventory.setStock(7, 100)
    const key = randomUUID()
    const orderId = orderIdForKey(key)
    // The first request's reservation is made, its answer still on its way back to orders (made here
    // directly at inventory, as orders asks for it).
    const made = await fetch(new URL('/reservations', inventory.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reservationId: orderId, productId: 7, quantity: 1 }) })
    expect(made.status).toBe(201)
    const other = await post(purchase(7, 3), key)
    expectErrorBody(other.json(), 422, 'ORDERS_KEY_ALREADY_USED')
    // Nothing stored under the key: the first request stores its order on its reservation.
    expect(await sql(db, "SELECT 1 FROM idempotency_keys WHERE scope = 'orders' AND key = $1", [key])).toHaveLength(0)
    const first = await post(purchase(7, 1), key)
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ id: orderId, quantity: 1, status: 'pending' })
    expect(await inventory.stock(7)).toMatchObject({ available: 99, reserved: 1 })
    // The other body, sent again, now meets the key's answer.
    expectErrorBody((await post(purchase(7, 3), key)).json(), 422, 'IDEMPOTENCY_KEY_REUSED')
  })

  it('owes the stock of an order it could not store while inventory is down, and gives it back once inventory is back', async () => {
    const { key, orderId } = await orderRefusedWhileInventoryGoesDown(4)
    try {
      expect(await sql(db, 'SELECT reason FROM stock_releases WHERE reservation_id = $1', [orderId])).toEqual([{ reason: 'order not stored' }])
      expect(await sql(db, 'SELECT id FROM orders WHERE id = $1', [orderId])).toHaveLength(0)
      // The key was closed before the release was owed: a retry builds no order on stock on its way back.
      const retry = await post(purchase(4, 2), key)
      expect(retry.statusCode).toBe(422)
      expectErrorBody(retry.json(), 422, 'ORDERS_KEY_ALREADY_USED')
    } finally {
      await inventory.restart()
    }
    await eventually(async () => (await reservationsAtInventory(orderId))[0]?.status === 'released', 10_000, 'the reservation released by the sweep')
    expect(await inventory.stock(4)).toMatchObject({ available: 100, reserved: 0 })
    await eventually(async () => (await sql(db, 'SELECT 1 FROM stock_releases WHERE reservation_id = $1', [orderId])).length === 0, 5000, 'the release forgotten')
  })

  it('builds no order on stock still owed back to inventory once the key that closed it has expired', async () => {
    const { key, orderId } = await orderRefusedWhileInventoryGoesDown(6)
    try {
      // The release stays owed (inventory slow to come back, say), and the key it closed expires (its
      // retention may be as short as 1 s). Set again until no retry of the sweep, in flight, undoes it.
      await eventually(async () => {
        await sql(db, "UPDATE stock_releases SET due_at = now() + interval '1 hour' WHERE reservation_id = $1", [orderId])
        await new Promise((resolve) => setTimeout(resolve, 300))
        return (await sql(db, "SELECT 1 FROM stock_releases WHERE reservation_id = $1 AND due_at > now() + interval '30 minutes'", [orderId])).length === 1
      }, 5000, 'the release owed for an hour')
      await sql(db, "UPDATE idempotency_keys SET expires_at = now() WHERE scope = 'orders' AND key = $1", [key])
    } finally {
      await inventory.restart()
    }
    // Inventory still has the reservation `reserved`, and would hand it to a retry with the key.
    expect(await reservationsAtInventory(orderId)).toEqual([{ status: 'reserved' }])
    const retry = await post(purchase(6, 2), key)
    expectErrorBody(retry.json(), 422, 'ORDERS_KEY_ALREADY_USED')
    expect(await sql(db, 'SELECT id FROM orders WHERE id = $1', [orderId])).toHaveLength(0)
    // The release, once due, is still made: the units come back, none of them sold.
    await sql(db, 'UPDATE stock_releases SET due_at = now() WHERE reservation_id = $1', [orderId])
    await eventually(async () => (await reservationsAtInventory(orderId))[0]?.status === 'released', 10_000, 'the reservation released by the sweep')
    expect(await inventory.stock(6)).toMatchObject({ available: 100, reserved: 0 })
  })
})
