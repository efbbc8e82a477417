import fp from 'fastify-plugin'
import type { SwitchSet } from '@lab/platform'
import type { InventoryConfig, StrategyName } from '../config.js'
import type { InventoryMetrics } from '../metrics.js'
import { readItem, setStock, type Item } from '../db/items.js'
import type { Reservation } from '../db/reservations.js'
import { createStrategies } from '../stock/strategies.js'
import { reserve, type ReserveResult } from '../stock/reserve.js'
import { releaseReservation } from '../stock/release.js'
import { registerOversellGauge } from '../stock/oversell.js'
import type { ReserveRequest } from '../stock/strategy.js'
import type { InventoryPattern } from '../patterns.js'
import { StockInconsistentError, UnknownProductError, UnknownReservationError } from '../errors.js'

export interface Inventory {
  /** The strategy used when a request names none: INVENTORY_STRATEGY, or naive while the `stock-locking` switch is off. */
  readonly defaultStrategy: StrategyName
  reserve: (request: ReserveRequest, strategy: StrategyName) => Promise<ReserveResult>
  release: (reservationId: string) => Promise<{ reservation: Reservation, replayed: boolean }>
  stock: (productId: number) => Promise<Item>
  setStock: (productId: number, stock: { available: number, priceCents: number }) => Promise<Item>
}

declare module 'fastify' {
  interface FastifyInstance {
    inventory: Inventory
  }
}

/** Inventory's domain, bound to the app's pool and metrics: decorated as `app.inventory`. */
export const inventoryPlugin = fp<{ config: InventoryConfig, metrics: InventoryMetrics, switches: SwitchSet<InventoryPattern> }>(async (app, { config, metrics, switches }) => {
  const pool = app.pg
  const strategies = createStrategies(pool, config, metrics)
  registerOversellGauge(app.metricsRegistry, pool, app.log)

  app.decorate('inventory', {
    get defaultStrategy () { return switches.enabled('stock-locking') ? config.INVENTORY_STRATEGY : 'naive' },
    reserve: async (request, strategy) => await reserve({ pool, metrics }, strategy, strategies[strategy], request),
    release: async (reservationId) => {
      const outcome = await releaseReservation(pool, reservationId)
      switch (outcome.kind) {
        case 'released':
          metrics.releases.inc({ outcome: 'released' })
          return { reservation: outcome.reservation, replayed: false }
        case 'already_released':
          metrics.releases.inc({ outcome: 'replayed' })
          return { reservation: outcome.reservation, replayed: true }
        case 'unknown_reservation':
          throw new UnknownReservationError(reservationId)
        case 'inconsistent':
          throw new StockInconsistentError(outcome.productId)
      }
    },
    stock: async (productId) => await readItem(pool, productId) ?? throwUnknown(productId),
    setStock: async (productId, stock) => await setStock(pool, productId, stock) ?? throwUnknown(productId)
  } satisfies Inventory)
}, { name: 'inventory', dependencies: ['lab-postgres', 'lab-metrics'] })

function throwUnknown (productId: number): never {
  throw new UnknownProductError(productId)
}
