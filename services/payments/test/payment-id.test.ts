import { describe, expect, it } from 'vitest'
import { eventIdFor, paymentIdForOrder, uuidV5 } from '../src/payment-id.js'

describe('deterministic ids', () => {
  it('computes RFC 9562 UUIDv5 (the DNS-namespace example)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2')
  })

  it('gives one order the same payment id every time, and different orders different ones', () => {
    const order = '3b0e5c1e-8f0a-4c7e-9d55-0f1d2c3b4a59'
    expect(paymentIdForOrder(order)).toBe(paymentIdForOrder(order.toUpperCase()))
    expect(paymentIdForOrder(order)).not.toBe(paymentIdForOrder('3b0e5c1e-8f0a-4c7e-9d55-0f1d2c3b4a5a'))
    expect(eventIdFor(paymentIdForOrder(order), 'payments.succeeded.v1')).not.toBe(eventIdFor(paymentIdForOrder(order), 'payments.failed.v1'))
  })
})
