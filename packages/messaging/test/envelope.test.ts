import { describe, expect, it } from 'vitest'
import { createEnvelope, parseEnvelope } from '../src/index.js'

describe('envelope', () => {
  it('round-trips an envelope through JSON', () => {
    const envelope = createEnvelope('orders.placed.v1', 'order-1', { orderId: 'order-1', quantity: 2 })
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Date(envelope.occurredAt).toISOString()).toBe(envelope.occurredAt)
    expect(parseEnvelope(Buffer.from(JSON.stringify(envelope)))).toEqual({ ok: true, envelope })
  })

  it('keeps a given id, so a retried producer emits the same idempotency key', () => {
    const id = '6f1c1c2e-7a9b-4d55-9d8e-0a1b2c3d4e5f'
    expect(createEnvelope('t', 'k', {}, id).id).toBe(id)
  })

  it('rejects malformed JSON, empty values and envelopes missing fields, without throwing', () => {
    expect(parseEnvelope(Buffer.from('{not json'))).toMatchObject({ ok: false, error: expect.stringMatching(/^malformed JSON/) })
    expect(parseEnvelope(null)).toMatchObject({ ok: false, error: 'empty message value' })
    expect(parseEnvelope(Buffer.from(JSON.stringify({ id: 'not-a-uuid', type: 't', occurredAt: 'x', key: 'k', data: 1 }))))
      .toMatchObject({ ok: false, error: expect.stringMatching(/^invalid envelope: \/id/) })
    expect(parseEnvelope(Buffer.from('{"type":"t"}'))).toMatchObject({ ok: false })
  })
})
