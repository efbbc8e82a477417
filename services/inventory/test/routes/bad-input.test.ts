import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, expectedErrorBody, inventoryEnv, purchase, sql, type InventoryUnderTest } from '../build.js'

let db: TestDatabase
let inventory: InventoryUnderTest

beforeAll(async () => {
  db = await createDatabase('inventory_input')
  inventory = await buildInventory(inventoryEnv(db))
})

afterAll(async () => {
  await inventory?.app.close()
  await db?.drop()
})

/** Everything stored: the rejected request must leave it exactly as it was. */
async function stored (): Promise<unknown> {
  return {
    items: await sql(db, 'SELECT * FROM items ORDER BY product_id'),
    reservations: await sql(db, 'SELECT * FROM reservations ORDER BY id')
  }
}

const valid = { ...purchase(5), reservationId: '3f0c7a52-4f43-4b8e-9d6f-0a4b1f6f2d11' }

describe('bad input is a 4xx with the JSON error body, and changes nothing', () => {
  it.each([
    ['zero quantity', { ...valid, quantity: 0 }, 400, 'VALIDATION_FAILED'],
    ['a negative quantity', { ...valid, quantity: -2 }, 400, 'VALIDATION_FAILED'],
    ['a huge quantity', { ...valid, quantity: 101 }, 400, 'VALIDATION_FAILED'],
    ['a quantity beyond int4', { ...valid, quantity: 1e12 }, 400, 'VALIDATION_FAILED'],
    ['a fractional quantity', { ...valid, quantity: 1.5 }, 400, 'VALIDATION_FAILED'],
    ['a quantity as a string', { ...valid, quantity: '2' }, 400, 'VALIDATION_FAILED'],
    ['no quantity', { reservationId: valid.reservationId, productId: 5 }, 400, 'VALIDATION_FAILED'],
    ['a reservation id that is not a UUID', { ...valid, reservationId: 'order-42' }, 400, 'VALIDATION_FAILED'],
    ['a UUID with a stray character', { ...valid, reservationId: `${valid.reservationId}x` }, 400, 'VALIDATION_FAILED'],
    ['no reservation id', { productId: 5, quantity: 1 }, 400, 'VALIDATION_FAILED'],
    ['product zero', { ...valid, productId: 0 }, 400, 'VALIDATION_FAILED'],
    ['a negative product', { ...valid, productId: -5 }, 400, 'VALIDATION_FAILED'],
    ['a product id as a string', { ...valid, productId: '5' }, 400, 'VALIDATION_FAILED'],
    ['a product id beyond int4', { ...valid, productId: 2 ** 31 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { ...valid, priceCents: 1 }, 400, 'VALIDATION_FAILED'],
    ['an array body', [valid], 400, 'VALIDATION_FAILED'],
    ['malformed JSON', '{"reservationId": "3f0c7a52', 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['a huge body', { ...valid, note: 'x'.repeat(100_000) }, 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
    ['an unknown product', { ...valid, productId: 424242 }, 404, 'INVENTORY_UNKNOWN_PRODUCT']
  ])('rejects %s in POST /reservations', async (_name, payload, status, code) => {
    const before = await stored()
    const res = await inventory.app.inject({
      method: 'POST',
      url: '/reservations',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
    })
    expect(res.statusCode).toBe(status)
    expect(res.json()).toEqual(expectedErrorBody(status, code))
    expect(await stored()).toEqual(before)
  })

  it('rejects an unknown strategy header (400) and a body that is not JSON (415)', async () => {
    const before = await stored()
    const strategy = await inventory.app.inject({ method: 'POST', url: '/reservations', headers: { 'x-inventory-strategy': 'yolo' }, payload: valid })
    expect(strategy.statusCode).toBe(400)
    expect(strategy.json()).toEqual(expectedErrorBody(400, 'VALIDATION_FAILED'))
    const form = await inventory.app.inject({ method: 'POST', url: '/reservations', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'productId=5' })
    expect(form.statusCode).toBe(415)
    expect(await stored()).toEqual(before)
  })

  it.each(['abc', '0', '-3', '1.5', '1e3', '007', '9999999999', 'true'])('rejects %s as a product id in the path (400)', async (id) => {
    for (const res of [
      await inventory.app.inject({ method: 'GET', url: `/stock/${id}` }),
      await inventory.app.inject({ method: 'PUT', url: `/stock/${id}`, payload: { available: 1, priceCents: 1 } })
    ]) {
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual(expectedErrorBody(400, 'VALIDATION_FAILED'))
    }
  })

  it.each([
    ['a negative stock', { available: -1, priceCents: 100 }],
    ['a fractional price', { available: 1, priceCents: 1.5 }],
    ['a price as a decimal string', { available: 1, priceCents: '12.34' }],
    ['no price', { available: 1 }],
    ['an unknown field', { available: 1, priceCents: 1, reserved: 0 }],
    ['a huge stock', { available: 1e10, priceCents: 1 }]
  ])('rejects %s in PUT /stock (400), changing nothing', async (_name, payload) => {
    const before = await stored()
    const res = await inventory.app.inject({ method: 'PUT', url: '/stock/5', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual(expectedErrorBody(400, 'VALIDATION_FAILED'))
    expect(await stored()).toEqual(before)
  })

  it('rejects PUT /stock of an unknown product (404) and a release of a non-UUID (400)', async () => {
    const before = await stored()
    const unknown = await inventory.app.inject({ method: 'PUT', url: '/stock/424242', payload: { available: 1, priceCents: 1 } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual(expectedErrorBody(404, 'INVENTORY_UNKNOWN_PRODUCT'))
    const release = await inventory.app.inject({ method: 'POST', url: '/reservations/not-a-uuid/release' })
    expect(release.statusCode).toBe(400)
    expect(release.json()).toEqual(expectedErrorBody(400, 'VALIDATION_FAILED'))
    expect(await stored()).toEqual(before)
  })
})
