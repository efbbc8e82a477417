import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { eventually, histogram, metricValue, orderPlaced, startPaymentsWithProvider, type PaymentsWithProvider, type Provider, type Running } from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'

const MAX_ATTEMPTS = 3
const RETRY_BASE_MS = 50
const RETRY_MAX_MS = 400
const PROVIDER_LATENCY_MS = 100
const RESET_MS = 4000

let pool: pg.Pool
let provider: Provider
let payments: Running
let send: PaymentsWithProvider['send']
let customer = 0

beforeAllWithTeardown(async () => {
  ({ pool, provider, payments, send } = await startPaymentsWithProvider('payments_breaker', {
    env: {
      PROVIDER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      PROVIDER_RETRY_BASE_MS: String(RETRY_BASE_MS),
      PROVIDER_RETRY_MAX_MS: String(RETRY_MAX_MS),
      PROVIDER_TIMEOUT_MS: '1000',
      BREAKER_VOLUME_THRESHOLD: '5',
      BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      BREAKER_RESET_MS: String(RESET_MS)
    }
  }))
})

interface PaymentState { status: string, reason: string | null, attempts: number }

/** Places card orders and waits until each payment leaves `pending`-before-answer (failed, or pending after the provider accepted). */
async function placeCardOrders (n: number, settled: (p: PaymentState) => boolean): Promise<Array<PaymentState & { paymentId: string }>> {
  const orders = Array.from({ length: n }, () => orderPlaced(`c-${String(++customer).padStart(4, '0')}`, 1500, 'card'))
  for (const order of orders) await send('ordersPlaced', order)
  const ids = orders.map((o) => paymentIdForOrder(o.data.orderId))
  return await eventually(async () => {
    const { rows } = await pool.query<PaymentState & { id: string }>('SELECT id, status, reason, attempts FROM payments WHERE id = ANY($1)', [ids])
    return rows.length === n && rows.every(settled) ? rows.map((r) => ({ ...r, paymentId: r.id })) : undefined
  }, 30_000, `${n} card payments to settle`)
}

const breakerState = async () => await metricValue(payments.registry, 'circuit_breaker_state', { breaker: 'provider' })
const failed = (p: PaymentState) => p.status === 'failed'

describe('payments → provider: retries, circuit breaker, fail fast, recovery', () => {
  it('retries a failing provider a bounded number of times with jittered backoff, then the breaker opens', async () => {
    await provider.setFaults({ errorRate: 1, latencyMs: PROVIDER_LATENCY_MS })
    const results: Array<PaymentState & { paymentId: string }> = []
    // One order at a time, until the breaker has seen enough failures to open.
    while (await breakerState() !== 2) {
      expect(results.length).toBeLessThan(4)
      results.push(...await placeCardOrders(1, failed))
    }
    for (const payment of results) {
      expect(payment).toMatchObject({ status: 'failed', reason: 'provider_unavailable' })
      expect(payment.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS)
      // What the provider saw: exactly the attempts recorded, never more than the bound.
      expect(provider.chargeCalls.filter((c) => c.chargeId === payment.paymentId)).toHaveLength(payment.attempts)
    }
    const retries = await metricValue(payments.registry, 'payments_provider_retries_total')
    expect(retries).toBeLessThanOrEqual(results.length * (MAX_ATTEMPTS - 1))
    expect((await histogram(payments.registry, 'payments_provider_retry_delay_seconds')).count).toBe(retries)

    // Backoff between a charge's calls: the provider's latency plus a wait drawn from [0, base × 2^(n-1)].
    const waits = results.flatMap((p) => {
      const at = provider.chargeCalls.filter((c) => c.chargeId === p.paymentId).map((c) => c.at)
      return at.slice(1).map((t, i) => ({ retry: i + 1, waitMs: t - (at[i] as number) - PROVIDER_LATENCY_MS }))
    })
    expect(waits.length).toBeGreaterThanOrEqual(2)
    for (const { retry, waitMs } of waits) {
      expect(waitMs).toBeGreaterThanOrEqual(-5)
      expect(waitMs).toBeLessThan(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (retry - 1)) + 150) // + scheduling slack
    }
    expect(new Set(waits.map((w) => Math.round(w.waitMs))).size).toBeGreaterThan(1) // jittered, not a fixed schedule
    expect(await metricValue(payments.registry, 'circuit_breaker_transitions_total', { breaker: 'provider', to: 'open' })).toBe(1)
  }, 60_000)

  it('fails payments fast while the breaker is open, without calling the provider', async () => {
    expect(await breakerState()).toBe(2)
    const callsBefore = provider.chargeCalls.length
    const fastBefore = await histogram(payments.registry, 'payments_provider_charge_duration_seconds', { result: 'breaker_open' })
    const started = performance.now()
    const results = await placeCardOrders(5, failed)
    const elapsedMs = performance.now() - started
    for (const payment of results) expect(payment).toMatchObject({ status: 'failed', reason: 'provider_unavailable' })
    // At most one half-open probe could have slipped through on a slow machine; normally none.
    expect(provider.chargeCalls.length - callsBefore).toBeLessThanOrEqual(1)
    expect(results.filter((p) => p.attempts === 0).length).toBeGreaterThanOrEqual(4)
    // Time spent on a refused charge, measured in the service: no waiting on the provider, no backoff.
    const fastAfter = await histogram(payments.registry, 'payments_provider_charge_duration_seconds', { result: 'breaker_open' })
    const fast = { count: fastAfter.count - fastBefore.count, sum: fastAfter.sum - fastBefore.sum }
    const slow = await histogram(payments.registry, 'payments_provider_charge_duration_seconds', { result: 'retries_exhausted' })
    expect(fast.count).toBeGreaterThanOrEqual(4)
    expect(fast.sum / fast.count).toBeLessThan(0.01)
    expect(slow.sum / slow.count).toBeGreaterThan((MAX_ATTEMPTS * PROVIDER_LATENCY_MS) / 1000)
    // End to end (Kafka in, outbox out) the five failed in well under one slow charge's retry budget each.
    expect(elapsedMs).toBeLessThan(5 * MAX_ATTEMPTS * PROVIDER_LATENCY_MS + 2000)
    expect(await metricValue(payments.registry, 'circuit_breaker_rejected_total', { breaker: 'provider' })).toBeGreaterThanOrEqual(4)
  }, 30_000)

  it('closes again through a half-open probe once the provider heals, and card payments succeed', async () => {
    await provider.setFaults({ errorRate: 0, latencyMs: 0 })
    // After the reset timeout the breaker lets one probe through (half-open) ...
    await eventually(async () => await breakerState() === 1 ? true : undefined, RESET_MS + 3000, 'half-open')
    // ... the next charge is that probe; it succeeds and closes the breaker.
    const [probe] = await placeCardOrders(1, (p) => p.status === 'succeeded')
    expect(probe).toMatchObject({ status: 'succeeded', attempts: 1 })
    expect(await breakerState()).toBe(0)
    expect(await metricValue(payments.registry, 'circuit_breaker_transitions_total', { breaker: 'provider', to: 'closed' })).toBeGreaterThanOrEqual(1)
    const more = await placeCardOrders(4, (p) => p.status === 'succeeded')
    expect(more.every((p) => p.status === 'succeeded')).toBe(true)
    expect(await metricValue(payments.registry, 'payments_total', { method: 'card', outcome: 'succeeded' })).toBe(5)
  }, 30_000)

  it('fails a card payment the provider declines, through its signed callback', async () => {
    await provider.setFaults({ declineRate: 1 })
    const [declined] = await placeCardOrders(1, failed)
    expect(declined).toMatchObject({ status: 'failed', reason: 'card_declined', attempts: 1 })
    expect(await metricValue(payments.registry, 'payments_failed_total', { method: 'card', reason: 'card_declined' })).toBe(1)
  }, 30_000)
})
