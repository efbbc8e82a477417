import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { signWebhook } from '@lab/webhook-signature'
import {
  eventually, metricValue, orderPlaced, startPaymentsWithProvider, TEST_SECRET, type PaymentsWithProvider, type Running
} from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'

let pool: pg.Pool
let payments: Running
let send: PaymentsWithProvider['send']

beforeAllWithTeardown(async () => {
  // The provider accepts charges but takes a minute to decide them: the callbacks here are ours.
  ;({ pool, payments, send } = await startPaymentsWithProvider('payments_callbacks', { providerEnv: { PROVIDER_PROCESSING_DELAY_MS: '60000' } }))
})

/** A card order whose charge the provider accepted: its payment is pending, awaiting the callback. */
async function pendingCardPayment (): Promise<string> {
  const order = orderPlaced('c-0001', 1999, 'card')
  await send('ordersPlaced', order)
  const paymentId = paymentIdForOrder(order.data.orderId)
  // The payment is pending from the consumer's commit on; the charge worker's call (attempts 1) comes after.
  await eventually(async () => { const s = await state(paymentId); return s?.status === 'pending' && s.attempts >= 1 ? true : undefined }, 20_000, 'a pending card payment the provider accepted')
  return paymentId
}

async function state (paymentId: string) {
  const { rows } = await pool.query<{ status: string, reason: string | null, attempts: number, updated_at: Date }>(
    'SELECT status, reason, attempts, updated_at FROM payments WHERE id = $1', [paymentId])
  return rows[0]
}

async function outboxRows (paymentId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE envelope->'data'->>'paymentId' = $1", [paymentId])
  return rows[0]?.n ?? 0
}

async function callbacks (outcome: string): Promise<number> {
  return await metricValue(payments.registry, 'payments_provider_callbacks_total', { outcome })
}

async function callback (rawBody: string, headers: Record<string, string>) {
  return await payments.app.inject({ method: 'POST', url: '/provider-callbacks', headers: { 'content-type': 'application/json', ...headers }, payload: rawBody })
}

function signed (rawBody: string, { secret = TEST_SECRET, timestamp = Math.floor(Date.now() / 1000) } = {}) {
  return { 'x-provider-timestamp': String(timestamp), 'x-provider-signature': signWebhook(secret, timestamp, rawBody) }
}

describe('POST /provider-callbacks', () => {
  it('refuses a missing, wrong, tampered or stale signature with 401 and changes nothing', async () => {
    const paymentId = await pendingCardPayment()
    const before = await state(paymentId)
    const rawBody = JSON.stringify({ chargeId: paymentId, status: 'succeeded' })
    const now = Math.floor(Date.now() / 1000)
    const attempts = {
      missing: {},
      'missing timestamp': { 'x-provider-signature': signed(rawBody)['x-provider-signature'] },
      'wrong secret': signed(rawBody, { secret: 'not-the-shared-secret-at-all' }),
      'another body': signed(JSON.stringify({ chargeId: paymentId, status: 'failed' })),
      stale: signed(rawBody, { timestamp: now - 310 }),
      'from the future': signed(rawBody, { timestamp: now + 310 }),
      malformed: { 'x-provider-timestamp': String(now), 'x-provider-signature': 'sha256=zz' }
    }
    for (const [name, headers] of Object.entries(attempts)) {
      const res = await callback(rawBody, headers)
      expect(res.statusCode, name).toBe(401)
      expect(res.json(), name).toMatchObject({ statusCode: 401, code: 'PAYMENTS_BAD_SIGNATURE' })
    }
    expect(await state(paymentId)).toEqual(before)
    expect(await outboxRows(paymentId)).toBe(0)
    expect((await pool.query('SELECT 1 FROM provider_callbacks WHERE charge_id = $1', [paymentId])).rowCount).toBe(0)
  })

  it('changes nothing on a signed callback the provider has not decided (200, nothing stored)', async () => {
    const paymentId = await pendingCardPayment()
    const before = await state(paymentId)
    const contradicted = await callbacks('rejected_contradicted')
    for (const rawBody of [JSON.stringify({ chargeId: paymentId, status: 'succeeded' }), JSON.stringify({ chargeId: paymentId, status: 'failed', reason: 'card_declined' })]) {
      const res = await callback(rawBody, signed(rawBody))
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ received: true })
    }
    expect(await state(paymentId)).toEqual(before)
    expect(await outboxRows(paymentId)).toBe(0)
    expect((await pool.query('SELECT 1 FROM provider_callbacks WHERE charge_id = $1', [paymentId])).rowCount).toBe(0)
    expect(await callbacks('rejected_contradicted')).toBe(contradicted + 2)
  })

  it('changes nothing on a signed callback for a charge payments never made (200, the same answer), and answers 400 to a signed body of the wrong shape', async () => {
    const chargeId = randomUUID()
    const notOurs = await callbacks('rejected_not_ours')
    const forged = JSON.stringify({ chargeId, status: 'succeeded' })
    const res = await callback(forged, signed(forged))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ received: true })
    expect((await pool.query('SELECT 1 FROM provider_callbacks WHERE charge_id = $1', [chargeId])).rowCount).toBe(0)
    expect(await callbacks('rejected_not_ours')).toBe(notOurs + 1)
    for (const rawBody of ['{"chargeId": ', JSON.stringify({ chargeId, status: 'maybe' }), JSON.stringify({ status: 'succeeded' })]) {
      const res = await callback(rawBody, signed(rawBody))
      expect(res.statusCode).toBe(400)
      expect(res.json().code).toBe('PAYMENTS_BAD_CALLBACK')
    }
  })
})
