import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import { signWebhook } from '@lab/webhook-signature'
import {
  collectPaymentEvents, eventually, metricValue, orderPlaced, startPaymentsWithProvider, TEST_SECRET, type PaymentsWithProvider, type Running
} from '../build.js'
import { paymentIdForOrder } from '../../src/payment-id.js'
import { TOPICS } from '../../src/events.js'

/** Long enough to post a forged callback while the provider still holds the charge undecided. */
const PROCESSING_DELAY_MS = 1500

let pool: pg.Pool
let payments: Running
let send: PaymentsWithProvider['send']
let setFaults: PaymentsWithProvider['provider']['setFaults']
let reader: Awaited<ReturnType<typeof collectPaymentEvents>>

beforeAllWithTeardown(async () => {
  let env: Record<string, string>
  // The reconciler's default wait (10 s) is far beyond PROCESSING_DELAY_MS: what settles a payment here is a callback.
  ;({ pool, payments, send, env, provider: { setFaults } } = await startPaymentsWithProvider('payments_forged_callback', {
    providerEnv: { PROVIDER_DECLINE_RATE: '1', PROVIDER_PROCESSING_DELAY_MS: String(PROCESSING_DELAY_MS) }
  }))
  reader = await collectPaymentEvents(env.TOPIC_PREFIX as string)
})

async function state (paymentId: string) {
  const { rows } = await pool.query<{ status: string, reason: string | null, attempts: number }>('SELECT status, reason, attempts FROM payments WHERE id = $1', [paymentId])
  return rows[0]
}

/** A card order the charge worker has sent to the provider (attempts >= 1): pending until the provider decides. */
async function chargedCardOrder (): Promise<{ orderId: string, paymentId: string }> {
  const order = orderPlaced('c-0002', 4200, 'card')
  await send('ordersPlaced', order)
  const paymentId = paymentIdForOrder(order.data.orderId)
  await eventually(async () => { const s = await state(paymentId); return s?.status === 'pending' && s.attempts >= 1 ? true : undefined }, 20_000, 'the charge sent to the provider')
  return { orderId: order.data.orderId, paymentId }
}

/** A callback signed with the secret, as anyone holding it (the repository default) can sign one. */
async function postSigned (body: object) {
  const rawBody = JSON.stringify(body)
  const timestamp = Math.floor(Date.now() / 1000)
  return await payments.app.inject({
    method: 'POST',
    url: '/provider-callbacks',
    headers: { 'content-type': 'application/json', 'x-provider-timestamp': String(timestamp), 'x-provider-signature': signWebhook(TEST_SECRET, timestamp, rawBody) },
    payload: rawBody
  })
}

const callbacks = async (outcome: string): Promise<number> => await metricValue(payments.registry, 'payments_provider_callbacks_total', { outcome })
const eventsFor = (paymentId: string) => reader.events.filter((e) => (e.data as { paymentId?: string } | null)?.paymentId === paymentId)

describe('a forged provider callback', () => {
  it('cannot confirm a card order the provider declined: the payment fails card_declined, never succeeds', async () => {
    const { orderId, paymentId } = await chargedCardOrder()
    const contradicted = await callbacks('rejected_contradicted')

    // Signed with the shared secret, for the charge id anyone can derive from the order id: before the provider decides ...
    const early = await postSigned({ chargeId: paymentId, status: 'succeeded' })
    expect(early.statusCode).toBe(200)
    expect(early.json()).toEqual({ received: true })
    expect(await state(paymentId)).toMatchObject({ status: 'pending' })

    // ... the provider's own (declined) callback settles it ...
    await eventually(async () => (await state(paymentId))?.status === 'failed' ? true : undefined, 20_000, 'the provider\'s declined callback')
    expect(await state(paymentId)).toMatchObject({ status: 'failed', reason: 'card_declined' })

    // ... and a forgery after the decision changes nothing either, and is answered the same.
    const late = await postSigned({ chargeId: paymentId, status: 'succeeded' })
    expect(late.json()).toEqual({ received: true })
    expect(await state(paymentId)).toMatchObject({ status: 'failed', reason: 'card_declined' })
    expect(await callbacks('rejected_contradicted')).toBeGreaterThanOrEqual(contradicted + 1)

    const failed = await eventually(async () => eventsFor(paymentId).find((e) => e.type === TOPICS.paymentsFailed), 20_000, 'payments.failed.v1')
    expect(failed).toMatchObject({ key: orderId, data: { paymentId, reason: 'card_declined', method: 'card' } })
    expect(eventsFor(paymentId).filter((e) => e.type === TOPICS.paymentsSucceeded)).toEqual([])
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE envelope->'data'->>'paymentId' = $1", [paymentId])
    expect(rows[0]?.n).toBe(1)
  })

  it('leaves the genuine callback working: a charge the provider approves settles promptly, once', async () => {
    await setFaults({ declineRate: 0 })
    const applied = await callbacks('applied')
    const { paymentId } = await chargedCardOrder()
    await eventually(async () => (await state(paymentId))?.status === 'succeeded' ? true : undefined, PROCESSING_DELAY_MS + 5000, 'the provider\'s callback')
    expect(await callbacks('applied')).toBe(applied + 1)

    // The provider delivers at least once: the same (genuine) callback again is answered the same and changes nothing.
    expect((await postSigned({ chargeId: paymentId, status: 'succeeded' })).json()).toEqual({ received: true })
    const succeeded = await eventually(async () => eventsFor(paymentId).find((e) => e.type === TOPICS.paymentsSucceeded), 20_000, 'payments.succeeded.v1')
    expect(succeeded).toMatchObject({ data: { paymentId, amountCents: 4200, method: 'card' } })
    expect(eventsFor(paymentId).filter((e) => e.type === TOPICS.paymentsFailed)).toEqual([])
  })
})
