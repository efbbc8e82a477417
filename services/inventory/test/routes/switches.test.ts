import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, inventoryEnv, metricValue, purchase, type InventoryUnderTest } from '../build.js'

let db: TestDatabase
let inventory: InventoryUnderTest

beforeAll(async () => {
  db = await createDatabase('inventory_switches')
  inventory = await buildInventory(inventoryEnv(db))
})

afterAll(async () => {
  await inventory?.app.close()
  await db?.drop()
})

const admin = async (method: 'GET' | 'PUT' | 'DELETE', payload?: Record<string, unknown>) => await inventory.app.inject({ method, url: '/admin/switches', ...(payload === undefined ? {} : { payload }) })
const reserve = async (productId: number, strategy?: string) => await inventory.app.inject({
  method: 'POST', url: '/reservations', payload: purchase(productId, 1), headers: strategy === undefined ? {} : { 'x-inventory-strategy': strategy }
})
const served = async (strategy: string) => await metricValue(inventory.registry, 'inventory_reservations_total', { strategy, outcome: 'reserved' })

describe('inventory pattern switch stock-locking: the default strategy at run time', () => {
  it('lists the switch, on, and refuses an unknown one with a 400', async () => {
    expect((await admin('GET')).json()).toEqual({ 'stock-locking': true })
    const unknown = await admin('PUT', { 'stock-strategy': false })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json()).toHaveProperty('error')
  })

  it('off: a reservation naming no strategy is served by the naive one; a named strategy is still honoured', async () => {
    expect((await admin('PUT', { 'stock-locking': false })).json()).toEqual({ 'stock-locking': false })
    expect(await metricValue(inventory.registry, 'lab_pattern_enabled', { pattern: 'stock-locking' })).toBe(0)
    const naiveBefore = await served('naive')
    const unnamed = await reserve(1)
    expect(unnamed.statusCode).toBe(201)
    expect(unnamed.headers['x-inventory-strategy']).toBe('naive')
    expect(await served('naive')).toBe(naiveBefore + 1)
    const named = await reserve(2, 'pessimistic')
    expect(named.statusCode).toBe(201)
    expect(named.headers['x-inventory-strategy']).toBe('pessimistic')
  })

  it('back on (DELETE: every switch on): INVENTORY_STRATEGY, optimistic, again', async () => {
    expect((await admin('DELETE')).json()).toEqual({ 'stock-locking': true })
    const optimisticBefore = await served('optimistic')
    const res = await reserve(3)
    expect(res.statusCode).toBe(201)
    expect(res.headers['x-inventory-strategy']).toBe('optimistic')
    expect(await served('optimistic')).toBe(optimisticBefore + 1)
  })
})
