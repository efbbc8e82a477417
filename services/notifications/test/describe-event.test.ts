import { describe, expect, it } from 'vitest'
import { describeEvent, euros } from '../src/consumer/describe-event.js'
import { checkoutEvents } from './events.js'
import { EVENT_TYPES } from '../src/topics.js'

const orderId = '0b9c1f3e-5d2a-4c47-9a51-2f6f1a0e7d11'

describe('describeEvent words each checkout event for a person', () => {
  it.each([
    ['orders.placed.v1', 'Order 0b9c1f3e… placed: 2 × product 17 for €24.98, paying by wallet'],
    ['orders.confirmed.v1', 'Order 0b9c1f3e… confirmed'],
    ['orders.cancelled.v1', 'Order 0b9c1f3e… cancelled (payment failed)'],
    ['payments.succeeded.v1', 'Payment of €24.98 by wallet for order 0b9c1f3e… succeeded'],
    ['payments.failed.v1', 'Payment of €24.98 by card for order 0b9c1f3e… failed (card declined)']
  ] as const)('%s', (type, message) => {
    expect(describeEvent(type, checkoutEvents(orderId)[type])).toEqual({ orderId, message })
  })

  it('mentions the refund when a cancelled order was paid', () => {
    expect(describeEvent('orders.cancelled.v1', { orderId, reason: 'out of stock', refundRequired: true }).message)
      .toBe('Order 0b9c1f3e… cancelled (out of stock); your payment will be refunded')
  })

  it('accepts fields it does not know (a producer may add some), rejects missing or mistyped ones', () => {
    expect(() => describeEvent('orders.confirmed.v1', { orderId, confirmedBy: 'saga' })).not.toThrow()
    for (const type of EVENT_TYPES) expect(() => describeEvent(type, {})).toThrow(/data invalid: \/orderId/)
    expect(() => describeEvent('orders.placed.v1', { ...checkoutEvents(orderId)['orders.placed.v1'] as object, amountCents: 12.5 })).toThrow(/\/amountCents/)
    expect(() => describeEvent('payments.failed.v1', null)).toThrow(/data invalid/)
  })

  it('formats cents without floating point', () => {
    expect([0, 5, 99, 100, 2498, 100000].map(euros)).toEqual(['€0.00', '€0.05', '€0.99', '€1.00', '€24.98', '€1000.00'])
  })
})
