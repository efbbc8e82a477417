/**
 * Cursors for keyset pagination: the id of the last item of a page, wrapped so clients treat it as
 * opaque (we may add fields later without breaking them). Keyset, not OFFSET: each page is an index
 * range scan from the cursor, as fast on page 500 as on page 1, and rows inserted meanwhile do not
 * shift pages (no duplicates, no gaps).
 * @see https://use-the-index-luke.com/no-offset
 */
const PREFIX = 'p1:'
const SHAPE = /^[A-Za-z0-9_-]{1,64}$/
const PAYLOAD = /^p1:([1-9]\d{0,15})$/

export function encodeCursor (lastId: number): string {
  return Buffer.from(`${PREFIX}${lastId}`, 'utf8').toString('base64url')
}

/** The last id a cursor stands for, or undefined when it is not a cursor this API produced. */
export function decodeCursor (cursor: string): number | undefined {
  if (!SHAPE.test(cursor)) return undefined
  const match = PAYLOAD.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match?.[1] === undefined) return undefined
  const lastId = Number(match[1])
  if (!Number.isSafeInteger(lastId)) return undefined
  // Node's base64url decoder tolerates odd lengths and trailing bits: insist on the canonical form.
  return encodeCursor(lastId) === cursor ? lastId : undefined
}
