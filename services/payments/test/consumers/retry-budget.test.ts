import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { eventually, metricValue, orderPlaced, startPaymentsWithProvider, type PaymentsWithProvider, type Provider, type Running } from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'

const MAX_ATTEMPTS = 3
const RATIO = 0.1
const MIN_PER_SECOND = 0.02
/** One window for the whole file: every charge and retry below is counted in it. */
const WINDOW_MS = 60_000
const ORDERS = 8

let pool: pg.Pool
let provider: Provider
let payments: Running
let send: PaymentsWithProvider['send']
let customer = 0

beforeAllWithTeardown(async () => {
  ({ pool, provider, payments, send } = await startPaymentsWithProvider('payments_budget', {
    env: {
      PROVIDER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      PROVIDER_RETRY_BUDGET_RATIO: String(RATIO),
      PROVIDER_RETRY_BUDGET_MIN_PER_SECOND: String(MIN_PER_SECOND),
      PROVIDER_RETRY_BUDGET_WINDOW_MS: String(WINDOW_MS)
    }
  }))
  await provider.setFaults({ errorRate: 1, latencyMs: 20 })
  // The breaker would open after a few failed calls and hide the retries: only the budget is measured.
  await payments.app.inject({ method: 'PUT', url: '/admin/switches', payload: { 'breaker-provider': false } })
})

/** `n` card orders at once against the failing provider, until every payment failed; answers the provider's calls per order. */
async function failedCardOrders (n: number): Promise<number[]> {
  const orders = Array.from({ length: n }, () => orderPlaced(`c-${String(++customer).padStart(4, '0')}`, 1500, 'card'))
  await Promise.all(orders.map(async (order) => { await send('ordersPlaced', order) }))
  const ids = orders.map((o) => paymentIdForOrder(o.data.orderId))
  await eventually(async () => {
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE id = ANY($1) AND status = 'failed'", [ids])
    return rows[0]?.n === n ? true : undefined
  }, 30_000, `${n} payments to fail`)
  return ids.map((id) => provider.chargeCalls.filter((c) => c.chargeId === id).length)
}

const retries = async (outcome: 'allowed' | 'denied_budget') => await metricValue(payments.registry, 'payments_provider_retries_total', { outcome })

describe('payments retry budget: retries capped at a share of the recent charges', () => {
  it('starts with both retry outcomes at 0 and the switch on', async () => {
    expect(await retries('allowed')).toBe(0)
    expect(await retries('denied_budget')).toBe(0)
    expect((await payments.app.inject({ method: 'GET', url: '/admin/switches' })).json()).toMatchObject({ 'retry-budget': true })
  })

  it('with the budget on, a failing provider gets at most ratio × charges + the floor in retries, the rest denied', async () => {
    const calls = await failedCardOrders(ORDERS)
    const allowedRetries = Math.floor(RATIO * ORDERS + (MIN_PER_SECOND * WINDOW_MS) / 1000)
    const retried = calls.reduce((a, c) => a + c, 0) - ORDERS
    expect(calls.every((c) => c >= 1 && c <= MAX_ATTEMPTS)).toBe(true)
    expect(retried).toBeLessThanOrEqual(allowedRetries)
    expect(await retries('allowed')).toBe(retried)
    // Every charge whose retry was refused failed after its one (or last allowed) call.
    expect(await retries('denied_budget')).toBeGreaterThanOrEqual(ORDERS - allowedRetries)
  })

  it('with retry-budget off, every failing charge retries up to PROVIDER_MAX_ATTEMPTS again', async () => {
    const res = await payments.app.inject({ method: 'PUT', url: '/admin/switches', payload: { 'retry-budget': false } })
    expect(res.json()).toMatchObject({ 'retry-budget': false })
    expect(await metricValue(payments.registry, 'lab_pattern_enabled', { pattern: 'retry-budget' })).toBe(0)
    const deniedBefore = await retries('denied_budget')
    expect(await failedCardOrders(4)).toEqual([MAX_ATTEMPTS, MAX_ATTEMPTS, MAX_ATTEMPTS, MAX_ATTEMPTS])
    expect(await retries('denied_budget')).toBe(deniedBefore)
  })
})
