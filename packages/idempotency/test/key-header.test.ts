import { describe, expect, it } from 'vitest'
import { requireIdempotencyKey } from '../src/index.js'

describe('requireIdempotencyKey', () => {
  it('returns a well-formed key', () => {
    expect(requireIdempotencyKey({ headers: { 'idempotency-key': 'abc-123' } })).toBe('abc-123')
  })

  it('answers 400 IDEMPOTENCY_KEY_MISSING without the header', () => {
    expect(() => requireIdempotencyKey({ headers: {} })).toThrow(expect.objectContaining({ statusCode: 400, code: 'IDEMPOTENCY_KEY_MISSING' }))
  })

  it('answers 400 IDEMPOTENCY_KEY_INVALID for a key too long or not printable', () => {
    for (const bad of ['x'.repeat(256), 'tab\there', 'é', '   ']) {
      expect(() => requireIdempotencyKey({ headers: { 'idempotency-key': bad } })).toThrow(expect.objectContaining({ statusCode: 400, code: 'IDEMPOTENCY_KEY_INVALID' }))
    }
  })
})
