import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../src/cursor.js'

describe('pagination cursor', () => {
  it('round-trips any id as an opaque base64url string', () => {
    for (const id of [1, 20, 9_999, 123_456_789, 999_999_999_999_999]) {
      const cursor = encodeCursor(id)
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(cursor).not.toContain(String(id))
      expect(decodeCursor(cursor)).toBe(id)
    }
  })

  it('rejects what it did not produce', () => {
    const valid = encodeCursor(42)
    for (const bad of [
      '', 'zzz', '!!!!', valid + '=', `${valid}A`, valid.slice(0, -1),
      Buffer.from('p1:0').toString('base64url'),
      Buffer.from('p1:-5').toString('base64url'),
      Buffer.from('p1:4.2').toString('base64url'),
      Buffer.from('p1:042').toString('base64url'),
      Buffer.from('p2:42').toString('base64url'),
      Buffer.from('p1:99999999999999999').toString('base64url'),
      Buffer.from('{"id":42}').toString('base64url'),
      'A'.repeat(65)
    ]) {
      expect(decodeCursor(bad), bad).toBeUndefined()
    }
  })
})
