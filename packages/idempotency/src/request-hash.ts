import { createHash } from 'node:crypto'

/**
 * JSON with object keys sorted at every level, so `{a:1,b:2}` and `{b:2,a:1}` hash alike: the same
 * request must give the same fingerprint whatever order a client serialised it in.
 */
export function canonicalJson (value: unknown): string {
  if (value === undefined) return 'null'
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const source = v as Record<string, unknown>
    return Object.fromEntries(Object.keys(source).sort().map((k) => [k, source[k]]))
  })
}

/** sha256 (hex) of the canonical JSON of a request body. */
export function requestHash (body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}
