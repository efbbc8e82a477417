import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { beforeAllWithTeardown, createProxy, registerTeardown, type TestDatabase, type TestProxy } from '@lab/testkit'
import { expectErrorBody, metricValue, purchase, sql, startOrdersWithInventory, type OrdersUnderTest } from './build.js'
import type { Inventory } from './inventory.js'

const RESET_MS = 1000
const TIMEOUT_MS = 300

let proxy: TestProxy
let inventory: Inventory
let db: TestDatabase
let orders: OrdersUnderTest

beforeAllWithTeardown(async () => {
  // Inventory reaches its database through Toxiproxy, so a test can make it slow.
  proxy = await createProxy('postgres')
  registerTeardown(proxy.remove)
  ;({ db, inventory, orders } = await startOrdersWithInventory('orders_breaker', {
    inventoryDatabaseAddress: proxy.address,
    env: {
      INVENTORY_TIMEOUT_MS: String(TIMEOUT_MS),
      BREAKER_VOLUME_THRESHOLD: '5',
      BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      BREAKER_RESET_MS: String(RESET_MS)
    }
  }))
})

async function place (key = randomUUID(), productId = 1, quantity = 1) {
  const started = performance.now()
  const res = await orders.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': key }, payload: purchase(productId, quantity) })
  return { res, ms: performance.now() - started }
}

describe('inventory behind a breaker with a timeout', () => {
  it('answers 503 within the timeout when inventory hangs, and a retry with the same key takes over the late reservation', async () => {
    await inventory.setStock(2, 100)
    const key = randomUUID()
    await proxy.setLatency(1500)
    try {
      const { res, ms } = await place(key, 2, 4)
      expect(res.statusCode).toBe(503)
      expectErrorBody(res.json(), 503, 'ORDERS_INVENTORY_UNAVAILABLE')
      expect(res.json().message).toContain(`no answer within ${TIMEOUT_MS} ms`)
      expect(ms).toBeLessThan(TIMEOUT_MS + 500)
    } finally {
      await proxy.reset()
    }
    // Inventory did reserve, late. The retry asks for the same reservation id (derived from the key):
    // it gets that reservation back instead of a second one.
    const retry = await place(key, 2, 4)
    expect(retry.res.statusCode).toBe(201)
    expect(await inventory.stock(2)).toMatchObject({ available: 96, reserved: 4 })
  })

  it('fails fast with 503 and Retry-After once the breaker opens, and closes again when inventory is back', async () => {
    await inventory.stop()
    const answers = []
    for (let i = 0; i < 20; i++) {
      const answer = await place()
      answers.push(answer)
      if (answer.res.headers['retry-after'] !== undefined) break
    }
    for (const { res } of answers) expectErrorBody(res.json(), 503, 'ORDERS_INVENTORY_UNAVAILABLE')
    const open = answers.at(-1)
    expect(open?.res.headers['retry-after']).toBe(String(RESET_MS / 1000))
    expect(open?.res.json().message).toContain('circuit breaker open')
    expect(answers.length).toBeLessThanOrEqual(6)
    expect(await metricValue(orders.registry, 'circuit_breaker_state', { breaker: 'inventory' })).toBe(2)

    // While open, nothing reaches inventory: every answer is immediate.
    const rejectedBefore = await metricValue(orders.registry, 'circuit_breaker_rejected_total', { breaker: 'inventory' })
    const fast = await Promise.all(Array.from({ length: 20 }, async () => await place()))
    for (const { res, ms } of fast) {
      expect(res.statusCode).toBe(503)
      expect(res.headers['retry-after']).toBe('1')
      expect(ms).toBeLessThan(100)
    }
    expect(await metricValue(orders.registry, 'circuit_breaker_rejected_total', { breaker: 'inventory' }) - rejectedBefore).toBe(20)
    expect(await sql(db, 'SELECT id FROM orders WHERE product_id = 1')).toHaveLength(0)

    // Inventory back; after the reset timeout the half-open probe goes through and closes the breaker.
    await inventory.restart()
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 100))
    const probe = await place()
    expect(probe.res.statusCode).toBe(201)
    expect(await metricValue(orders.registry, 'circuit_breaker_state', { breaker: 'inventory' })).toBe(0)
    expect(await metricValue(orders.registry, 'circuit_breaker_transitions_total', { breaker: 'inventory', to: 'open' })).toBe(1)
  })
})
