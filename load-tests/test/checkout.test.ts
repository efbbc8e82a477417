import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCheckoutLab, type CheckoutLab } from '../../test/e2e/lab.js'
import { validateScenario } from '../lib/scenario.js'
import { runScenario } from '../src/driver.js'
import { loadScenario } from '../src/scenarios.js'

/**
 * The checkout flow of the driver against the real checkout (gateway, orders, inventory, payments,
 * provider, notifications on PostgreSQL and Kafka, in this process): every placed order is polled to
 * its final state, transfers move money without creating or losing any, and the report's counts add up.
 */
let lab: CheckoutLab

beforeAll(async () => { lab = await startCheckoutLab() })
afterAll(async () => { await lab?.close() })

describe('runScenario on the checkout services', () => {
  // First, on the freshly seeded wallets (1,000.00 each): the orders below may leave a wallet with less
  // than a transfer's 10.00 (one order of the test lab's products can cost several hundred), and a 422
  // insufficient funds is then the right answer, not the one this test is about.
  it('transfers between random wallets, each once, and the ledger still explains every cent', async () => {
    const base = loadScenario('transfers')
    const scenario = validateScenario({ ...base, rate: 10, durationSeconds: 2, vus: 10, params: { ...base.params, customers: 20 } }, 'transfers')
    const report = await runScenario(scenario, { baseUrl: lab.gatewayUrl })

    expect(report.iterations.sent).toBe(20)
    expect(report.requests.map((r) => [r.name, r.byStatus])).toEqual([['transfer', { 201: 20 }]])
    expect(report.passed).toBe(true)
    const res = await fetch(`${lab.gatewayUrl}/payments/ledger/consistency`)
    const consistency = await res.json() as { totalCents: number, seededCents: number, walletsMatchingLedger: boolean, unbalancedTransfers: number }
    expect(consistency).toMatchObject({ walletsMatchingLedger: true, unbalancedTransfers: 0 })
    expect(consistency.totalCents).toBe(consistency.seededCents)
  }, 60_000)

  it('places each order once and follows every one to confirmed or cancelled, timing it from the POST', async () => {
    const base = loadScenario('checkout')
    // The test lab seeds 20 products and 20 wallets.
    const scenario = validateScenario({ ...base, rate: 5, durationSeconds: 2, vus: 5, params: { ...base.params, products: 20, customers: 20 } }, 'checkout')
    const report = await runScenario(scenario, { baseUrl: lab.gatewayUrl })

    expect(report.iterations.sent).toBe(10)
    const place = report.requests.find((r) => r.name === 'place')
    const poll = report.requests.find((r) => r.name === 'poll')
    expect(place?.byStatus).toEqual({ 201: 10 })
    expect(report.checkout).toMatchObject({ tracked: 10, unsettled: 0 })
    expect((report.checkout?.confirmed ?? 0) + (report.checkout?.cancelled ?? 0)).toBe(10)
    // At least one poll per order, each answered 200; the last poll of each saw its final state.
    expect(poll?.answered).toBeGreaterThanOrEqual(10)
    expect(poll?.byStatus).toEqual({ 200: poll?.answered })
    expect(report.checkout?.timeToFinal.count).toBe(10)
    // Polled every 100 ms after the 201: no order can be seen final sooner than one interval after its POST.
    expect(report.checkout?.timeToFinal.p50).toBeGreaterThanOrEqual(100)
    expect(report.answered).toBe(10 + (poll?.answered ?? 0))
    expect(report.verdicts.find((v) => v.label === 'unsettled orders')).toMatchObject({ pass: true, value: 0 })
  }, 60_000)

  it('sells exactly the flash sale\'s stock to many buyers, the others told it is out of stock', async () => {
    const base = loadScenario('flash-sale')
    const scenario = validateScenario({
      ...base,
      rate: 20,
      durationSeconds: 2,
      vus: 20,
      params: { productId: 7, units: 10, customers: 20, paymentMethod: 'card' },
      thresholds: [{ metric: 'status', status: 201, stat: 'count', min: 10, max: 10 }, { metric: 'errors', stat: 'rate', max: 0 }]
    }, 'flash-sale')
    const report = await runScenario(scenario, { baseUrl: lab.gatewayUrl, inventoryUrl: lab.inventoryUrl })

    // The checkout test before may have sold one or two of them already: the sale sets the stock anyway.
    expect(report.setup).toMatch(/^product 7: available \d+ → 10 units \(PUT http:\/\/127\.0\.0\.1:\d+\/stock\/7\)$/)
    expect(report.iterations.sent).toBe(40)
    expect(report.requests.map((r) => [r.name, r.byStatus])).toEqual([['place', { 201: 10, '409 ORDERS_OUT_OF_STOCK': 30 }]])
    expect(report.verdicts.map((v) => [v.label, v.value, v.pass])).toEqual([['201 answers', 10, true], ['error rate', 0, true]])
    const stock = await (await fetch(`${lab.inventoryUrl}/stock/7`)).json() as { available: number, reserved: number }
    expect(stock.available).toBe(0)
  }, 60_000)
})
