import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, expectedErrorBody, inventoryEnv, metricValue, purchase, sql, type InventoryUnderTest } from '../build.js'

let db: TestDatabase
let inventory: InventoryUnderTest

beforeAll(async () => {
  db = await createDatabase('inventory_reservations')
  inventory = await buildInventory(inventoryEnv(db))
})

afterAll(async () => {
  await inventory?.app.close()
  await db?.drop()
})

const stock = async (productId: number) => (await inventory.app.inject({ method: 'GET', url: `/stock/${productId}` })).json<{ available: number, reserved: number, priceCents: number, version: number }>()
const reserveBody = (body: unknown, strategy?: string) => inventory.app.inject({ method: 'POST', url: '/reservations', payload: body as object, headers: strategy === undefined ? {} : { 'x-inventory-strategy': strategy } })
const release = (id: string) => inventory.app.inject({ method: 'POST', url: `/reservations/${id}/release` })

describe('reservations', () => {
  it('reserves at the item\'s price and takes the units from available to reserved', async () => {
    await inventory.app.inject({ method: 'PUT', url: '/stock/1', payload: { available: 10, priceCents: 1250 } })
    const body = purchase(1, 3)
    const res = await reserveBody(body)
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ ...body, unitPriceCents: 1250, amountCents: 3750, status: 'reserved' })
    expect(res.headers['x-inventory-strategy']).toBe('optimistic')
    expect(res.headers['x-inventory-attempts']).toBe('1')
    expect(await stock(1)).toMatchObject({ available: 7, reserved: 3 })
  })

  it('answers the same reservation again for a repeated id, and takes no more stock', async () => {
    await inventory.app.inject({ method: 'PUT', url: '/stock/2', payload: { available: 10, priceCents: 100 } })
    const body = purchase(2, 2)
    const first = await reserveBody(body)
    const again = await reserveBody(body)
    expect(first.statusCode).toBe(201)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    expect(await stock(2)).toMatchObject({ available: 8, reserved: 2 })
    expect(await metricValue(inventory.registry, 'inventory_reservations_total', { outcome: 'replayed' })).toBeGreaterThanOrEqual(1)
  })

  it('refuses a repeated id for another quantity or product (422), changing nothing', async () => {
    const body = purchase(3, 1)
    expect((await reserveBody(body)).statusCode).toBe(201)
    const before = await stock(3)
    for (const changed of [{ ...body, quantity: 2 }, { ...body, productId: 4 }]) {
      const res = await reserveBody(changed)
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual(expectedErrorBody(422, 'INVENTORY_RESERVATION_ID_REUSED'))
    }
    expect(await stock(3)).toEqual(before)
    expect(await stock(4)).toMatchObject({ available: 100, reserved: 0 })
  })

  it.each(['optimistic', 'naive', 'pessimistic'])('settles 20 racing twins of one reservation to one reservation (%s)', async (strategy) => {
    const productId = { optimistic: 5, naive: 6, pessimistic: 8 }[strategy] ?? 0
    const body = purchase(productId, 2)
    const answers = await Promise.all(Array.from({ length: 20 }, async () => await reserveBody(body, strategy)))
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1)
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(19)
    for (const a of answers) expect(a.json()).toMatchObject({ reservationId: body.reservationId, quantity: 2, status: 'reserved' })
    expect(await stock(productId)).toMatchObject({ available: 98, reserved: 2 })
    expect(await sql(db, 'SELECT id FROM reservations WHERE product_id = $1', [productId])).toHaveLength(1)
  })

  it('releases once: the units go back, a second release answers the same, a repeated reserve too', async () => {
    const body = purchase(9, 4)
    await reserveBody(body)
    expect(await stock(9)).toMatchObject({ available: 96, reserved: 4 })
    const first = await release(body.reservationId)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ ...body, status: 'released' })
    const afterFirst = await stock(9)
    expect(afterFirst).toMatchObject({ available: 100, reserved: 0 })

    const second = await release(body.reservationId)
    expect(second.statusCode).toBe(200)
    expect(second.json()).toEqual(first.json())
    const replayed = await reserveBody(body)
    expect(replayed.statusCode).toBe(200)
    expect(replayed.json()).toMatchObject({ status: 'released' })
    expect(await stock(9)).toEqual(afterFirst)
  })

  it('returns the units once when 20 releases of one reservation race', async () => {
    const body = purchase(10, 5)
    await reserveBody(body)
    const answers = await Promise.all(Array.from({ length: 20 }, async () => await release(body.reservationId)))
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200))
    expect(await stock(10)).toMatchObject({ available: 100, reserved: 0 })
    expect(await metricValue(inventory.registry, 'inventory_releases_total', { outcome: 'released' })).toBeGreaterThanOrEqual(1)
  })

  it('answers 404 for an unknown reservation and an unknown product', async () => {
    const res = await release(randomUUID())
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual(expectedErrorBody(404, 'INVENTORY_UNKNOWN_RESERVATION'))
    const unknown = await reserveBody(purchase(424242))
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual(expectedErrorBody(404, 'INVENTORY_UNKNOWN_PRODUCT'))
    expect((await inventory.app.inject({ method: 'GET', url: '/stock/424242' })).statusCode).toBe(404)
  })

  it.each(['optimistic', 'naive', 'pessimistic'])('answers 409 INVENTORY_OUT_OF_STOCK when too few units are left (%s)', async (strategy) => {
    await inventory.app.inject({ method: 'PUT', url: '/stock/11', payload: { available: 2, priceCents: 100 } })
    const before = await stock(11)
    const res = await reserveBody(purchase(11, 3), strategy)
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual(expectedErrorBody(409, 'INVENTORY_OUT_OF_STOCK'))
    expect(res.headers['x-inventory-strategy']).toBe(strategy)
    expect(await stock(11)).toEqual(before)
  })
})

describe('stock', () => {
  it('sets available units and price, moving the version and leaving reserved units alone', async () => {
    await reserveBody(purchase(12, 5))
    const before = await stock(12)
    const res = await inventory.app.inject({ method: 'PUT', url: '/stock/12', payload: { available: 50, priceCents: 999 } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ productId: 12, available: 50, reserved: 5, priceCents: 999, version: before.version + 1 })
    expect(await stock(12)).toEqual(res.json())
  })
})
