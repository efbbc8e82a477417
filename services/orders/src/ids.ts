import { createHash } from 'node:crypto'

/**
 * A name-based UUID: the same name always gives the same id. SHA-256 of a namespace and the name parts,
 * truncated to 128 bits, with the version (8, "custom") and variant bits set, as in RFC 9562's own
 * example of a SHA-256 name-based UUID (v5 is the same idea with SHA-1).
 * @see https://www.rfc-editor.org/rfc/rfc9562#name-example-of-a-uuidv8-value-n
 */
export function nameBasedUuid (namespace: string, ...parts: string[]): string {
  const hash = createHash('sha256').update(namespace)
  // Length-prefixed parts, so ('ab', 'c') and ('a', 'bc') never collide.
  for (const part of parts) hash.update(`\u0000${part.length}:${part}`)
  const bytes = hash.digest().subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The order id for an Idempotency-Key. Deterministic so that a retry of an attempt that died half-way
 * (stock reserved at inventory, order not committed) asks inventory for the *same* reservation id, and
 * inventory, idempotent on it, hands back the reservation it already made instead of reserving twice.
 * Keys are unique per scope ('orders'), so two different requests never share an order id.
 */
export function orderIdForKey (idempotencyKey: string): string {
  return nameBasedUuid('lab.orders.order-id', idempotencyKey)
}

/**
 * The envelope id (the consumers' idempotency key) of an event orders emits about an order, derived
 * from what caused it: the same cause always yields the same id, so if a cause is ever processed twice
 * (e.g. two payment events for one order), the downstream consumers still apply its effect once.
 */
export function orderEventId (orderId: string, event: string, cause = ''): string {
  return nameBasedUuid('lab.orders.event-id', orderId, event, cause)
}
