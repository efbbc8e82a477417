import { createSwitchSet, type SwitchSet } from '@lab/platform'
import type { Registry } from 'prom-client'

/** Inventory's pattern switches (GET|PUT|DELETE /admin/switches), all on by default. */
export const INVENTORY_PATTERNS = ['stock-locking'] as const
export type InventoryPattern = typeof INVENTORY_PATTERNS[number]

export function createInventorySwitches (registry: Registry): SwitchSet<InventoryPattern> {
  return createSwitchSet({
    names: INVENTORY_PATTERNS,
    registry,
    descriptions: {
      'stock-locking': 'reservations naming no strategy use INVENTORY_STRATEGY (optimistic by default): off, the naive read-then-write, which oversells under concurrent buyers (x-inventory-strategy still picks one per request)'
    }
  })
}
