import { describe, expect, it } from 'vitest'
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import { CHECKOUT_EVENT_SCHEMAS, type PaymentFailed, type PaymentSucceeded, ORDERS_CANCELLED, ORDERS_CONFIRMED, ORDERS_PLACED, PAYMENTS_FAILED, PAYMENTS_SUCCEEDED, type CheckoutTopic } from '../src/index.js'
// Producers: the functions and types that build each topic's payload.
import { orderPlacedData } from '../../../services/orders/src/place-order.js'
import { PAYMENT_TIMEOUT_REASON } from '../../../services/orders/src/saga/payment-timeout.js'
import type { Order } from '../../../services/orders/src/schemas/order.js'
import { paymentIdForOrder } from '../../../services/payments/src/payment-id.js'
import { FAILURE_REASONS } from '../../../services/payments/src/metrics.js'

/**
 * Each checkout event's payload, as its producer builds it, against the schema of every consumer of
 * its topic (issue 12: "a change to a payload fails a test until every side agrees"). Every reader
 * checks with its topic's one schema (checkout-events.ts: readers call checkEventData); what this pins
 * is that the schema accepts what each producer sends, and refuses what no reader could act on.
 * No infrastructure: pure functions and schemas only.
 */
const orderId = '0191f2a8-5c1e-8d3a-9b7c-4e2f6a1b3c5d'

const order: Order = {
  id: orderId,
  customerId: 'c-0001',
  productId: 42,
  quantity: 2,
  amountCents: 2598,
  paymentMethod: 'card',
  status: 'pending',
  cancelReason: null,
  reservationId: orderId,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:00.000Z',
  version: 1
}

const succeeded = { orderId, paymentId: paymentIdForOrder(orderId), amountCents: order.amountCents, method: order.paymentMethod } satisfies PaymentSucceeded

/** What each producer sends, one or more variants per topic (orders' saga sends three kinds of cancellation). */
const produced: Record<CheckoutTopic, unknown[]> = {
  [ORDERS_PLACED]: [orderPlacedData(order), orderPlacedData({ ...order, paymentMethod: 'wallet', quantity: 100 })],
  [ORDERS_CONFIRMED]: [{ orderId }],
  [ORDERS_CANCELLED]: [
    { orderId, reason: 'payment failed: insufficient_funds', refundRequired: false },
    { orderId, reason: 'payment succeeded after the order was cancelled', refundRequired: true },
    { orderId, reason: PAYMENT_TIMEOUT_REASON, refundRequired: false }
  ],
  [PAYMENTS_SUCCEEDED]: [succeeded],
  [PAYMENTS_FAILED]: FAILURE_REASONS.map((reason) => ({ ...succeeded, reason }) satisfies PaymentFailed)
}

/** Who reads each topic; each checks with the topic's contract schema. */
const consumers: Record<CheckoutTopic, Array<[consumer: string, schema: TSchema]>> = {
  [ORDERS_PLACED]: [['payments', CHECKOUT_EVENT_SCHEMAS[ORDERS_PLACED]], ['notifications', CHECKOUT_EVENT_SCHEMAS[ORDERS_PLACED]]],
  [ORDERS_CONFIRMED]: [['notifications', CHECKOUT_EVENT_SCHEMAS[ORDERS_CONFIRMED]]],
  [ORDERS_CANCELLED]: [['payments', CHECKOUT_EVENT_SCHEMAS[ORDERS_CANCELLED]], ['notifications', CHECKOUT_EVENT_SCHEMAS[ORDERS_CANCELLED]]],
  [PAYMENTS_SUCCEEDED]: [['orders', CHECKOUT_EVENT_SCHEMAS[PAYMENTS_SUCCEEDED]], ['notifications', CHECKOUT_EVENT_SCHEMAS[PAYMENTS_SUCCEEDED]]],
  [PAYMENTS_FAILED]: [['orders', CHECKOUT_EVENT_SCHEMAS[PAYMENTS_FAILED]], ['notifications', CHECKOUT_EVENT_SCHEMAS[PAYMENTS_FAILED]]]
}

const cases = (Object.keys(consumers) as CheckoutTopic[]).flatMap((topic) =>
  consumers[topic].map(([consumer, schema]) => ({ topic, consumer, schema })))

function firstError (schema: TSchema, payload: unknown): string | undefined {
  const error = Value.Errors(schema, payload).First()
  return error === undefined ? undefined : `${error.path || '/'} ${error.message}`
}

describe('checkout event contracts', () => {
  it.each(cases)('$consumer accepts every $topic payload its producer builds', ({ topic, schema }) => {
    for (const payload of produced[topic]) expect(firstError(schema, payload), JSON.stringify(payload)).toBeUndefined()
  })

  it.each(cases)('$consumer rejects a $topic payload without its order id', ({ topic, schema }) => {
    const [payload] = produced[topic] as Array<Record<string, unknown>>
    const { orderId: _dropped, ...withoutOrderId } = payload ?? {}
    expect(Value.Check(schema, withoutOrderId)).toBe(false)
  })
})
