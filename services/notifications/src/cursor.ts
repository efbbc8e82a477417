/**
 * Cursors for keyset pagination, as in the catalog: the position (`seq`) of the last notification of a
 * page, wrapped so clients treat it as opaque. Each page is an index range scan from the cursor, and
 * notifications arriving meanwhile do not shift pages.
 * @see https://use-the-index-luke.com/no-offset
 */
const PREFIX = 'n1:'
const SHAPE = /^[A-Za-z0-9_-]{1,64}$/
const PAYLOAD = /^n1:([1-9]\d{0,15})$/

export function encodeCursor (lastSeq: number): string {
  return Buffer.from(`${PREFIX}${lastSeq}`, 'utf8').toString('base64url')
}

/** The last seq a cursor stands for, or undefined when it is not a cursor this API produced. */
export function decodeCursor (cursor: string): number | undefined {
  if (!SHAPE.test(cursor)) return undefined
  const match = PAYLOAD.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match?.[1] === undefined) return undefined
  const lastSeq = Number(match[1])
  if (!Number.isSafeInteger(lastSeq)) return undefined
  // Node's base64url decoder tolerates odd lengths and trailing bits: insist on the canonical form.
  return encodeCursor(lastSeq) === cursor ? lastSeq : undefined
}
