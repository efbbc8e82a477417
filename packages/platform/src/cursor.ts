/**
 * Cursors for keyset pagination: the key (id, seq) of the last item of a page, wrapped so clients
 * treat it as opaque (we may add fields later without breaking them). Keyset, not OFFSET: each page is
 * an index range scan from the cursor, as fast on page 500 as on page 1, and rows inserted meanwhile
 * do not shift pages (no duplicates, no gaps).
 * @see https://use-the-index-luke.com/no-offset
 */
export interface KeysetCursor {
  encode: (lastKey: number) => string
  /** The last key a cursor stands for, or undefined when it is not a cursor this API produced. */
  decode: (cursor: string) => number | undefined
}

const SHAPE = /^[A-Za-z0-9_-]{1,64}$/

/** Cursors of one API, told apart from other APIs' by `prefix` (e.g. 'p1': products, version 1). */
export function keysetCursor (prefix: string): KeysetCursor {
  const payload = new RegExp(`^${prefix}:([1-9]\\d{0,15})$`)
  const encode = (lastKey: number): string => Buffer.from(`${prefix}:${lastKey}`, 'utf8').toString('base64url')
  const decode = (cursor: string): number | undefined => {
    if (!SHAPE.test(cursor)) return undefined
    const match = payload.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (match?.[1] === undefined) return undefined
    const lastKey = Number(match[1])
    if (!Number.isSafeInteger(lastKey)) return undefined
    // Node's base64url decoder tolerates odd lengths and trailing bits: insist on the canonical form.
    return encode(lastKey) === cursor ? lastKey : undefined
  }
  return { encode, decode }
}
