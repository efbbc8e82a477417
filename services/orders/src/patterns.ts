import type { SwitchDefinitions } from '@lab/platform'

/** Orders' pattern switches (GET|PUT|DELETE /admin/switches), each defined once, all on by default. */
export const ORDERS_SWITCHES = {
  'idempotency-key': 'the Idempotency-Key of POST /orders: off, the key is ignored and every retry places (and reserves stock for) one more order'
} as const satisfies SwitchDefinitions
export type OrdersPattern = keyof typeof ORDERS_SWITCHES
