import { randomUUID } from 'node:crypto'
import type { EventType } from '../src/topics.js'

/** Valid data for each checkout event type, for one order. */
export function checkoutEvents (orderId: string = randomUUID()): Record<EventType, unknown> {
  const paymentId = randomUUID()
  return {
    'orders.placed.v1': { orderId, customerId: 'c-0042', productId: 17, quantity: 2, amountCents: 2498, paymentMethod: 'wallet' },
    'payments.succeeded.v1': { orderId, paymentId, amountCents: 2498, method: 'wallet' },
    'payments.failed.v1': { orderId, paymentId, amountCents: 2498, method: 'card', reason: 'card declined' },
    'orders.confirmed.v1': { orderId },
    'orders.cancelled.v1': { orderId, reason: 'payment failed', refundRequired: false }
  }
}
