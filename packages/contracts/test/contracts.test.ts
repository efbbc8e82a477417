import { describe, expect, it } from 'vitest'
import { Value } from '@sinclair/typebox/value'
import { CHECKOUT_TOPICS, deadLetterTopic, isDeadLetterTopic, ReservationSchema, ReserveBodySchema, uuidSchema } from '../src/index.js'

describe('topic names', () => {
  it('keeps the five checkout topics as `<domain>.<event>.v1`', () => {
    expect(CHECKOUT_TOPICS).toEqual(['orders.placed.v1', 'orders.confirmed.v1', 'orders.cancelled.v1', 'payments.succeeded.v1', 'payments.failed.v1'])
  })

  it('names a dead-letter topic after its topic, and recognises only such names', () => {
    expect(deadLetterTopic('orders.placed.v1')).toBe('orders.placed.v1.dlq.v1')
    expect(isDeadLetterTopic('orders.placed.v1.dlq.v1')).toBe(true)
    expect(isDeadLetterTopic('.dlq.v1')).toBe(false)
    expect(isDeadLetterTopic('orders.placed.v1')).toBe(false)
  })
})

describe('uuidSchema', () => {
  it('accepts canonical UUIDs in either case and nothing else', () => {
    const uuid = uuidSchema()
    expect(Value.Check(uuid, '0191F2A8-5c1e-8d3a-9b7c-4e2f6a1b3c5d')).toBe(true)
    for (const bad of ['not-a-uuid', '0191f2a85c1e8d3a9b7c4e2f6a1b3c5d', '{0191f2a8-5c1e-8d3a-9b7c-4e2f6a1b3c5d}', '0191f2a8-5c1e-8d3a-9b7c-4e2f6a1b3c5dx']) {
      expect(Value.Check(uuid, bad), bad).toBe(false)
    }
  })
})

describe('the reservation call', () => {
  const body = { reservationId: '0191f2a8-5c1e-8d3a-9b7c-4e2f6a1b3c5d', productId: 42, quantity: 1 }

  it('takes a reservation id, a product and 1..100 units, nothing more and nothing coerced', () => {
    expect(Value.Check(ReserveBodySchema, body)).toBe(true)
    expect(Value.Check(ReserveBodySchema, { ...body, quantity: 101 })).toBe(false)
    expect(Value.Check(ReserveBodySchema, { ...body, quantity: '1' })).toBe(false)
    expect(Value.Check(ReserveBodySchema, { ...body, productId: 2_147_483_648 })).toBe(false)
    expect(Value.Check(ReserveBodySchema, { ...body, extra: true })).toBe(false)
  })

  it('answers a reservation that is reserved or released', () => {
    const reservation = { ...body, unitPriceCents: 1299, amountCents: 1299, status: 'reserved' }
    expect(Value.Check(ReservationSchema, reservation)).toBe(true)
    expect(Value.Check(ReservationSchema, { ...reservation, status: 'cancelled' })).toBe(false)
  })
})
