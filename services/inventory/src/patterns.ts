import type { SwitchDefinitions } from '@lab/platform'

/** Inventory's pattern switches (GET|PUT|DELETE /admin/switches), each defined once, all on by default. */
export const INVENTORY_SWITCHES = {
  'stock-locking': 'reservations naming no strategy use INVENTORY_STRATEGY (optimistic by default): off, the naive read-then-write, which oversells under concurrent buyers (x-inventory-strategy still picks one per request)'
} as const satisfies SwitchDefinitions
export type InventoryPattern = keyof typeof INVENTORY_SWITCHES
