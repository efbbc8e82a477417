import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import {
  eventually, histogram, metricValue, orderPlaced, startPaymentsWithProvider, type ChargeCall, type PaymentsWithProvider, type Provider, type Running
} from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'

const MAX_ATTEMPTS = 3
const RETRY_BASE_MS = 300
const PROVIDER_LATENCY_MS = 20

let pool: pg.Pool
let provider: Provider
let payments: Running
let send: PaymentsWithProvider['send']
let customer = 0

beforeAllWithTeardown(async () => {
  ({ pool, provider, payments, send } = await startPaymentsWithProvider('payments_switches', {
    env: {
      PROVIDER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      PROVIDER_RETRY_BASE_MS: String(RETRY_BASE_MS),
      PROVIDER_RETRY_MAX_MS: String(RETRY_BASE_MS * 2),
      // The breaker would open after 5 failed calls: these tests fail more than that on purpose.
      BREAKER_VOLUME_THRESHOLD: '5'
    }
  }))
  await provider.setFaults({ errorRate: 1, latencyMs: PROVIDER_LATENCY_MS })
})

const admin = async (method: 'GET' | 'PUT' | 'DELETE', payload?: Record<string, unknown>) => await payments.app.inject({ method, url: '/admin/switches', ...(payload === undefined ? {} : { payload }) })

/** One card order against the failing provider, until its payment failed; answers what the provider saw of it. */
async function failedCardOrder (): Promise<ChargeCall[]> {
  const order = orderPlaced(`c-${String(++customer).padStart(4, '0')}`, 1500, 'card')
  await send('ordersPlaced', order)
  const paymentId = paymentIdForOrder(order.data.orderId)
  await eventually(async () => {
    const { rows } = await pool.query<{ status: string }>('SELECT status FROM payments WHERE id = $1', [paymentId])
    return rows[0]?.status === 'failed' ? true : undefined
  }, 30_000, `payment ${paymentId} to fail`)
  return provider.chargeCalls.filter((c) => c.chargeId === paymentId)
}

const retryDelay = async () => await histogram(payments.registry, 'payments_provider_retry_delay_seconds')

describe('payments pattern switches: retry backoff and the provider breaker, at run time', () => {
  it('lists its switches, all on, and refuses an unknown one with a 400', async () => {
    const res = await admin('GET')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ 'retry-backoff': true, 'retry-budget': true, 'breaker-provider': true, 'idempotent-consumer': true, 'idempotency-key': true, 'charge-worker': true })
    const unknown = await admin('PUT', { 'retry-jitter': false })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json()).toHaveProperty('error')
  })

  it('with breaker-provider and retry-backoff off, retries go out at once: the same attempts, no wait', async () => {
    const res = await admin('PUT', { 'retry-backoff': false, 'breaker-provider': false })
    expect(res.json()).toEqual({ 'retry-backoff': false, 'retry-budget': true, 'breaker-provider': false, 'idempotent-consumer': true, 'idempotency-key': true, 'charge-worker': true })
    expect(await metricValue(payments.registry, 'lab_pattern_enabled', { pattern: 'retry-backoff' })).toBe(0)
    const before = await retryDelay()
    // Three orders, nine failed calls: past the breaker's volume threshold, yet every call reaches the provider.
    for (let i = 0; i < 3; i++) {
      const calls = await failedCardOrder()
      expect(calls).toHaveLength(MAX_ATTEMPTS)
      // Immediate: each retry follows its failed call by the provider's latency, never by a backoff (≥ 0.5 × base on average).
      for (let n = 1; n < calls.length; n++) expect(calls[n]!.at - calls[n - 1]!.at).toBeLessThan(PROVIDER_LATENCY_MS + RETRY_BASE_MS / 2)
    }
    const after = await retryDelay()
    expect(after.count - before.count).toBe(3 * (MAX_ATTEMPTS - 1))
    expect(after.sum - before.sum).toBe(0)
    expect(await metricValue(payments.registry, 'circuit_breaker_state', { breaker: 'provider' })).toBe(0)
  })

  it('with retry-backoff back on, the retries wait a jittered backoff again; DELETE turns every switch on', async () => {
    await admin('PUT', { 'retry-backoff': true })
    const before = await retryDelay()
    const calls = await failedCardOrder()
    expect(calls).toHaveLength(MAX_ATTEMPTS)
    const after = await retryDelay()
    expect(after.count - before.count).toBe(MAX_ATTEMPTS - 1)
    // Two draws from [0, 300] and [0, 600] ms: both 0 happens about once in 180,000 runs.
    expect(after.sum - before.sum).toBeGreaterThan(0)
    // The calls are spread by at least the waits drawn (each rounded to a whole millisecond).
    expect(calls[MAX_ATTEMPTS - 1]!.at - calls[0]!.at).toBeGreaterThanOrEqual((after.sum - before.sum) * 1000 - MAX_ATTEMPTS)
    const reset = await admin('DELETE')
    expect(reset.json()).toEqual({ 'retry-backoff': true, 'retry-budget': true, 'breaker-provider': true, 'idempotent-consumer': true, 'idempotency-key': true, 'charge-worker': true })
    expect(await metricValue(payments.registry, 'lab_pattern_enabled', { pattern: 'breaker-provider' })).toBe(1)
  })
})
