import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import { purchase, sql, startOrdersWithInventory, type OrdersUnderTest } from '../build.js'
import type { Inventory } from '../inventory.js'

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest

beforeAllWithTeardown(async () => {
  ({ db, inventory, orders } = await startOrdersWithInventory('orders_flash'))
})

describe('a flash sale through orders', () => {
  it('sells exactly the stock to 60 concurrent buyers (more than the connection pool) and answers every other one 409, none 500', async () => {
    await inventory.setStock(9, 10)
    const answers = await Promise.all(Array.from({ length: 60 }, async () => await orders.app.inject({
      method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID() }, payload: purchase(9, 1)
    })))
    const statuses = answers.map((a) => a.statusCode)
    // A 500 here would be a request starved of a pool connection: 50 failing at once must not need 50 more.
    expect(statuses.filter((s) => s === 201)).toHaveLength(10)
    expect(statuses.filter((s) => s === 409)).toHaveLength(50)
    expect(await inventory.stock(9)).toMatchObject({ available: 0, reserved: 10 })
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 9')).toHaveLength(10)
  })
})
