import { describe, expect, it } from 'vitest'
import { paced, statusLabel } from '../checkout/orders-load.js'
import { customerFor, orderBody, spreadProductIds } from '../checkout/plan.js'
import { mapConcurrently } from '../checkout/stock.js'

describe('the order plan', () => {
  it('takes customers c-0001 … c-1000 in turn', () => {
    expect([0, 1, 999, 1000, 1234].map(customerFor)).toEqual(['c-0001', 'c-0002', 'c-1000', 'c-0001', 'c-0235'])
  })

  it('spreads products evenly over the seeded ids, never twice the same', () => {
    expect(spreadProductIds(4, 10_000)).toEqual([1, 2501, 5001, 7501])
    const all = spreadProductIds(10_000, 10_000)
    expect(new Set(all).size).toBe(10_000)
    expect(all.at(-1)).toBe(10_000)
    expect(() => spreadProductIds(10_001, 10_000)).toThrow()
  })

  it('gives each order the next customer and product, one unit, the chosen payment method', () => {
    expect(orderBody(5, [7, 8, 9], 'card')).toEqual({ customerId: 'c-0006', productId: 9, quantity: 1, paymentMethod: 'card' })
    expect(orderBody(1001, [42], 'wallet')).toEqual({ customerId: 'c-0002', productId: 42, quantity: 1, paymentMethod: 'wallet' })
  })
})

describe('paced', () => {
  it('spreads a rate over staggered one-connection instances, one order per instance per second up to 50', () => {
    expect(paced(50)).toEqual({ instances: 50, offsetMs: 20, perInstance: Array(50).fill(1) })
    expect(paced(10)).toMatchObject({ instances: 10, offsetMs: 100 })
  })

  it('gives each instance its share of a rate above 50, the remainder to the first ones', () => {
    const { instances, perInstance } = paced(120)
    expect(instances).toBe(50)
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(120)
    expect(perInstance.slice(0, 21)).toEqual([3, ...Array(19).fill(3), 2])
  })
})

describe('statusLabel', () => {
  it('names an answer by status and error code', () => {
    expect(statusLabel(201, '{"id":"x"}')).toBe('201')
    expect(statusLabel(409, '{"statusCode":409,"code":"ORDERS_OUT_OF_STOCK","message":"…"}')).toBe('409 ORDERS_OUT_OF_STOCK')
    expect(statusLabel(502, 'Bad Gateway')).toBe('502')
  })
})

describe('mapConcurrently', () => {
  it('runs every item, never more than the limit at once, results in order', async () => {
    let running = 0
    let most = 0
    const results = await mapConcurrently(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, (i % 4) * 2))
      running--
      return i * 10
    })
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10))
    expect(most).toBe(3)
  })
})
