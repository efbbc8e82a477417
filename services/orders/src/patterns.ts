import { createSwitchSet, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'

/** Orders' pattern switches (GET|PUT|DELETE /admin/switches), all on by default. */
export const ORDERS_PATTERNS = ['idempotency-key'] as const
export type OrdersPattern = typeof ORDERS_PATTERNS[number]

export function createOrdersSwitches (registry: Registry): SwitchSet<OrdersPattern> {
  return createSwitchSet({
    names: ORDERS_PATTERNS,
    registry,
    descriptions: {
      'idempotency-key': 'the Idempotency-Key of POST /orders: off, the key is ignored and every retry places (and reserves stock for) one more order'
    }
  })
}
