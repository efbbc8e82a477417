import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildInventory, httpClient, inventoryEnv, metricValue, purchase, sql, type HttpAnswer, type InventoryUnderTest } from '../build.js'

const BUYERS = 200
const UNITS = 50
const CONNECTIONS = 16
const MAX_ATTEMPTS = 10

let db: TestDatabase
let inventory: InventoryUnderTest
let client: ReturnType<typeof httpClient>

beforeAll(async () => {
  db = await createDatabase('inventory_race')
  inventory = await buildInventory(inventoryEnv(db, { OPTIMISTIC_MAX_ATTEMPTS: String(MAX_ATTEMPTS) }))
  const address = await inventory.app.listen({ host: '127.0.0.1', port: 0 })
  client = httpClient(address, CONNECTIONS)
})

afterAll(async () => {
  client?.close()
  await inventory?.app.close()
  await db?.drop()
})

interface SaleResult {
  answers: HttpAnswer[]
  sold: number
  codes: Record<string, number>
  /** The item row after the sale. */
  row: { available: number, reserved: number }
  /** Units in the product's active reservations (what buyers were promised). */
  promised: number
}

/** 200 buyers at once, one unit each, for a product just stocked with 50 units, over real HTTP. */
async function flashSale (strategy: string, productId: number): Promise<SaleResult> {
  const stocked = await inventory.app.inject({ method: 'PUT', url: `/stock/${productId}`, payload: { available: UNITS, priceCents: 1999 } })
  expect(stocked.statusCode).toBe(200)
  const answers = await Promise.all(Array.from({ length: BUYERS }, async () => await client.post('/reservations', purchase(productId), { 'x-inventory-strategy': strategy })))
  const codes: Record<string, number> = {}
  for (const a of answers) {
    const code = a.status === 201 ? 'reserved' : String(a.body.code)
    codes[code] = (codes[code] ?? 0) + 1
  }
  const [row] = await sql<{ available: number, reserved: number }>(db, 'SELECT available, reserved FROM items WHERE product_id = $1', [productId])
  const [active] = await sql<{ promised: number }>(db, "SELECT coalesce(sum(quantity), 0)::int AS promised FROM reservations WHERE product_id = $1 AND status = 'reserved'", [productId])
  if (row === undefined || active === undefined) throw new Error(`product ${productId} vanished`)
  return { answers, sold: codes.reserved ?? 0, codes, row, promised: active.promised }
}

describe('200 concurrent buyers for 50 units', () => {
  it('sells exactly the stock with optimistic locking, retrying conflicts within the bound', async () => {
    const conflictsBefore = await metricValue(inventory.registry, 'optimistic_lock_conflicts_total')
    const retriesBefore = await metricValue(inventory.registry, 'optimistic_lock_retries_total')
    const sale = await flashSale('optimistic', 1)

    // Never more, never fewer while buyers remain (150 buyers were turned away).
    expect(sale.sold, JSON.stringify(sale.codes)).toBe(UNITS)
    expect(sale.row).toEqual({ available: 0, reserved: UNITS })
    expect(sale.promised).toBe(UNITS)
    for (const a of sale.answers.filter((x) => x.status !== 201)) {
      expect(a.status).toBe(409)
      expect(['INVENTORY_OUT_OF_STOCK', 'INVENTORY_CONFLICT']).toContain(a.body.code)
    }
    // Contention really happened, and every retry stayed within its request's bound.
    const conflicts = await metricValue(inventory.registry, 'optimistic_lock_conflicts_total', { service: 'inventory' }) - conflictsBefore
    const retries = await metricValue(inventory.registry, 'optimistic_lock_retries_total', { service: 'inventory' }) - retriesBefore
    expect(conflicts).toBeGreaterThan(0)
    expect(retries).toBeLessThanOrEqual((MAX_ATTEMPTS - 1) * BUYERS)
    const attempts = sale.answers.map((a) => Number(a.headers['x-inventory-attempts']))
    expect(Math.max(...attempts)).toBeLessThanOrEqual(MAX_ATTEMPTS)
    expect(retries).toBe(attempts.reduce((sum, n) => sum + n - 1, 0))
    expect(await metricValue(inventory.registry, 'inventory_reservations_total', { strategy: 'optimistic', outcome: 'reserved' })).toBe(UNITS)
  })

  it('sells exactly the stock with pessimistic locking, without a single conflict', async () => {
    const conflictsBefore = await metricValue(inventory.registry, 'optimistic_lock_conflicts_total')
    const sale = await flashSale('pessimistic', 2)

    expect(sale.sold).toBe(UNITS)
    expect(sale.codes).toEqual({ reserved: UNITS, INVENTORY_OUT_OF_STOCK: BUYERS - UNITS })
    expect(sale.row).toEqual({ available: 0, reserved: UNITS })
    expect(sale.promised).toBe(UNITS)
    expect(sale.answers.every((a) => a.headers['x-inventory-attempts'] === '1' || a.status === 409)).toBe(true)
    expect(await metricValue(inventory.registry, 'optimistic_lock_conflicts_total')).toBe(conflictsBefore)
  })

  it('oversells with the naive read-modify-write: lost updates promise more units than exist', async () => {
    const sale = await flashSale('naive', 3)

    // Buyers were promised more than 50 units ...
    expect(sale.sold, JSON.stringify(sale.codes)).toBeGreaterThan(UNITS)
    expect(sale.promised).toBe(sale.sold)
    // ... while the row looks fine: every write was computed from a consistent (stale) read, so the
    // units still add up to 50 and nothing went negative: no constraint could have caught it.
    expect(sale.row.available + sale.row.reserved).toBe(UNITS)
    expect(sale.row.available).toBeGreaterThanOrEqual(0)
    // The lost updates are exactly the gap between the row's count and the reservations.
    expect(sale.row.reserved).toBeLessThan(sale.promised)
    // The alertable signal sees the oversell (products 1 and 2 contribute 0).
    expect(await metricValue(inventory.registry, 'inventory_oversold_units')).toBe(sale.promised - UNITS)

    // Undoing it fails too: releasing every reservation would take `reserved` below zero, which the
    // CHECK constraint refuses (409, nothing changed) once the row's too-small count is used up.
    const releases = await Promise.all(sale.answers.map(async (a) => await inventory.app.inject({ method: 'POST', url: `/reservations/${String(a.body.reservationId)}/release` })))
    const refused = releases.filter((r) => r.statusCode === 409)
    expect(releases.length - refused.length).toBeLessThanOrEqual(sale.row.reserved)
    expect(refused.length).toBeGreaterThanOrEqual(sale.promised - UNITS)
    for (const r of refused) expect(r.json()).toMatchObject({ code: 'INVENTORY_STOCK_INCONSISTENT' })
  })
})
