import { describe, expect, it } from 'vitest'
import { formatCents, parseAmountCents } from '../src/amount.js'

describe('parseAmountCents', () => {
  it.each([
    ['12.34', 1234], ['12.3', 1230], ['12', 1200], ['0.01', 1], ['0.29', 29], ['7.50', 750],
    [12.34, 1234], [0.29, 29], [1.1, 110], [1000, 100_000]
  ])('reads %j as exact integer cents', (value, cents) => {
    expect(parseAmountCents(value)).toBe(cents)
  })

  it.each([['12.345'], [12.345], ['0.001'], [1.005]])('refuses %j: more than two decimals', (value) => {
    expect(() => parseAmountCents(value)).toThrow(/more than two decimals/)
  })

  it.each([['-1'], [-1], ['0'], [0], ['0.00'], ['abc'], [''], ['1e3'], [1e21], ['12,34'], ['.5'], ['012'], [' 1'], ['1 '], [' 7.50 '], ['\t1'], ['1\n'], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    'refuses %j with PAYMENTS_INVALID_AMOUNT', (value) => {
      expect(() => parseAmountCents(value)).toThrow(expect.objectContaining({ code: 'PAYMENTS_INVALID_AMOUNT', statusCode: 400 }))
    })

  it('accepts zero only when asked (an opening balance)', () => {
    expect(parseAmountCents('0', { allowZero: true })).toBe(0)
  })

  it('formats cents for people', () => {
    expect(formatCents(123456)).toBe('1234.56')
    expect(formatCents(5)).toBe('0.05')
    expect(formatCents(-150)).toBe('-1.50')
  })
})
