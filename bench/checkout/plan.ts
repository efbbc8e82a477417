/**
 * What each order of a run asks for: pure functions of its sequence number, so a run is reproducible
 * and its products and customers known before it starts (their stock is prepared, see stock.ts).
 */

/** Customers c-0001 … c-1000, the ids payments seeds one wallet for (SEED_WALLETS, services/payments/src/config.ts). */
export const CUSTOMERS = 1000

export function customerFor (sequence: number): string {
  return `c-${String((sequence % CUSTOMERS) + 1).padStart(4, '0')}`
}

/**
 * `count` product ids spread evenly over 1..`seeded` (every (seeded/count)-th id), so no two orders in
 * a row touch the same row and no row is hot unless the run asks for it.
 */
export function spreadProductIds (count: number, seeded: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > seeded) throw new Error(`cannot spread ${count} products over ${seeded}`)
  return Array.from({ length: count }, (_, k) => 1 + Math.floor((k * seeded) / count))
}

export interface PlaceOrderBody {
  customerId: string
  productId: number
  quantity: number
  paymentMethod: 'wallet' | 'card'
}

/** The body of the `sequence`-th order: the next customer, the next product of the list, quantity 1. */
export function orderBody (sequence: number, productIds: readonly number[], paymentMethod: 'wallet' | 'card'): PlaceOrderBody {
  const productId = productIds[sequence % productIds.length]
  if (productId === undefined) throw new Error('no products to order')
  return { customerId: customerFor(sequence), productId, quantity: 1, paymentMethod }
}
