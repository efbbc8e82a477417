import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, type TestDatabase } from '@lab/testkit'
import { metricValue, purchase, sql, startOrdersWithInventory, type OrdersUnderTest } from '../build.js'
import type { Inventory } from '../inventory.js'

let db: TestDatabase
let inventory: Inventory
let orders: OrdersUnderTest

beforeAllWithTeardown(async () => {
  ({ db, inventory, orders } = await startOrdersWithInventory('orders_idem_switch'))
})

const post = async (key: string, productId: number) => await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': key }, payload: purchase(productId, 2) })
const ordersOf = async (productId: number) => await sql<{ id: string }>(db, 'SELECT id FROM orders WHERE product_id = $1', [productId])
const switches = async (method: 'GET' | 'PUT' | 'DELETE', payload?: Record<string, boolean>) => {
  const res = await orders.app.inject({ method, url: '/admin/switches', ...(payload === undefined ? {} : { payload }) })
  return { status: res.statusCode, body: res.json() }
}

describe('the idempotency-key switch (POST /orders)', () => {
  it('is on by default and refuses a name it does not have (400)', async () => {
    expect(await switches('GET')).toEqual({ status: 200, body: { 'idempotency-key': true } })
    const unknown = await switches('PUT', { 'stock-locking': false })
    expect(unknown.status).toBe(400)
    expect(unknown.body.code).toBe('VALIDATION_FAILED')
  })

  it('off: a retry with the same key places a second order and reserves its stock again; reset: replayed once more', async () => {
    await inventory.setStock(7, 100)
    expect((await switches('PUT', { 'idempotency-key': false })).body).toEqual({ 'idempotency-key': false })
    expect(await metricValue(orders.registry, 'lab_pattern_enabled', { pattern: 'idempotency-key' })).toBe(0)
    const key = randomUUID()
    const [first, retry] = [await post(key, 7), await post(key, 7)]
    expect([first.statusCode, retry.statusCode]).toEqual([201, 201])
    expect(retry.headers['idempotent-replayed']).toBeUndefined()
    expect(retry.json().id).not.toBe(first.json().id)
    expect(await ordersOf(7)).toHaveLength(2)
    expect(await inventory.stock(7)).toMatchObject({ available: 96, reserved: 4 })

    expect((await switches('DELETE')).body).toEqual({ 'idempotency-key': true })
    const again = randomUUID()
    const [one, replay] = [await post(again, 7), await post(again, 7)]
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json().id).toBe(one.json().id)
    expect(await ordersOf(7)).toHaveLength(3)
  })
})
