import { InvalidAmountError } from './errors.js'

/** Up to 10^13 cents (100 billion): far above any lab balance, far below 2^53, so cents stay exact. */
const MAX_CENTS = 10_000_000_000_000
const DECIMAL = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/

/**
 * A decimal amount of money ("12.34", or the JSON number 12.34) in integer cents. Money is never a
 * float inside the service: the text is split at the point, so "0.29" is 29 cents exactly (0.29 × 100
 * in floating point is 28.999999999999996). More than two decimals, exponents, signs, spaces and zero
 * are refused (400 PAYMENTS_INVALID_AMOUNT) unless `allowZero`.
 */
export function parseAmountCents (value: string | number, { allowZero = false } = {}): number {
  // Text is read as given: " 1" is not an amount (a lenient reader here is one more way two parsers
  // of the same request disagree).
  const text = typeof value === 'number' ? numberText(value) : value
  const match = DECIMAL.exec(text)
  if (match === null) {
    const tooPrecise = /^\d+\.\d{3,}$/.test(text)
    throw new InvalidAmountError(tooPrecise
      ? `amount ${JSON.stringify(value)} has more than two decimals`
      : `amount ${JSON.stringify(value)} is not a positive decimal number such as "12.34"`)
  }
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
  if (cents > MAX_CENTS) throw new InvalidAmountError(`amount ${JSON.stringify(value)} is too large`)
  if (cents === 0 && !allowZero) throw new InvalidAmountError('amount must be greater than zero')
  return cents
}

/** The shortest text that round-trips the number (JavaScript's own), e.g. 12.34 → "12.34", 1e21 → "1e+21" (refused). */
function numberText (value: number): string {
  return Number.isFinite(value) ? String(value) : 'NaN'
}

/** 1234 → "12.34": for answers meant for people; the API's numbers are the integer cents. */
export function formatCents (cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
