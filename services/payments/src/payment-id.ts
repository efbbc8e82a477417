import { createHash } from 'node:crypto'

/** A fixed namespace of our own (a random UUID chosen once): ids derived in it never collide with others'. */
const PAYMENTS_NAMESPACE = '6f1c8a52-0b7e-4d4e-9a38-3c2f5d7e9b14'

/**
 * The payment id of an order: a name-based UUID (version 5, SHA-1) of the order id. The same order
 * always gives the same payment id, so a redelivered orders.placed.v1 finds its payment, and the
 * provider, called with it as `chargeId`, recognises the retry and never charges twice.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.5
 */
export function paymentIdForOrder (orderId: string): string {
  return uuidV5(orderId.toLowerCase(), PAYMENTS_NAMESPACE)
}

/** The id of an event a payment emits (one per payment and type): a redo produces the same id. */
export function eventIdFor (paymentId: string, type: string): string {
  return uuidV5(`${paymentId}:${type}`, PAYMENTS_NAMESPACE)
}

export function uuidV5 (name: string, namespace: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest()
  const bytes = hash.subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50 // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
