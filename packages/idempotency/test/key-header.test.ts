import { describe, expect, it } from 'vitest'
import { parseIdempotencyKey, requireIdempotencyKey } from '../src/index.js'

const invalid = expect.objectContaining({ statusCode: 400, code: 'IDEMPOTENCY_KEY_INVALID' })

describe('requireIdempotencyKey', () => {
  it('returns a well-formed key', () => {
    expect(requireIdempotencyKey({ headers: { 'idempotency-key': 'abc-123' } })).toBe('abc-123')
  })

  it("names the same key in the draft's quoted form as in the bare form clients send today", () => {
    const uuid = '8e03978e-40d5-43e8-bc93-6894a57f9324'
    expect(requireIdempotencyKey({ headers: { 'idempotency-key': `"${uuid}"` } })).toBe(uuid)
    expect(requireIdempotencyKey({ headers: { 'idempotency-key': uuid } })).toBe(uuid)
  })

  it('answers 400 IDEMPOTENCY_KEY_MISSING without the header', () => {
    expect(() => requireIdempotencyKey({ headers: {} })).toThrow(expect.objectContaining({ statusCode: 400, code: 'IDEMPOTENCY_KEY_MISSING' }))
  })

  it('answers 400 IDEMPOTENCY_KEY_INVALID for a key too long or not printable', () => {
    for (const bad of ['x'.repeat(256), 'tab\there', 'é', '   ']) {
      expect(() => requireIdempotencyKey({ headers: { 'idempotency-key': bad } })).toThrow(invalid)
    }
  })

  it('answers 400 IDEMPOTENCY_KEY_INVALID for a malformed quoted key', () => {
    expect(() => requireIdempotencyKey({ headers: { 'idempotency-key': '"abc' } })).toThrow(invalid)
  })
})

describe('parseIdempotencyKey', () => {
  it('unescapes \\" and \\\\ inside the quotes, as RFC 9651 parses an sf-string', () => {
    expect(parseIdempotencyKey('"a\\"b"')).toBe('a"b')
    expect(parseIdempotencyKey('"a\\\\b"')).toBe('a\\b')
    expect(parseIdempotencyKey('"with space"')).toBe('with space')
  })

  it('refuses unbalanced quotes, other escapes, parameters and characters outside printable ASCII', () => {
    for (const bad of ['"abc', 'abc"', 'a"b', '"a"b"', '"a\\nb"', '"a\\', '"abc";p=1', '"é"', '"tab\there"', '"\u0000"']) {
      expect(parseIdempotencyKey(bad), bad).toBeUndefined()
    }
  })

  it('refuses an empty or blank key and one longer than 255 characters, quoted or not', () => {
    for (const bad of ['""', '"   "', `"${'x'.repeat(256)}"`, 'x'.repeat(256)]) {
      expect(parseIdempotencyKey(bad), bad).toBeUndefined()
    }
    expect(parseIdempotencyKey(`"${'x'.repeat(255)}"`)).toHaveLength(255)
  })
})
