import { Counter, Gauge, type Registry } from 'prom-client'
import { createBreakerMetrics } from '@lab/platform'
import { createIdempotencyMetrics } from '@lab/idempotency'

export const ORDER_STATUSES = ['pending', 'confirmed', 'cancelled'] as const
export type OrderStatus = typeof ORDER_STATUSES[number]
/** How an attempt to give reserved stock back at inventory ended (saga/stock-release.ts). */
export const STOCK_RELEASE_OUTCOMES = ['released', 'unknown_reservation', 'failed', 'rejected'] as const
export type StockReleaseOutcome = typeof STOCK_RELEASE_OUTCOMES[number]

/**
 * Orders' own metric families, on the injected registry (the outbox relay and the consumer add theirs,
 * from @lab/messaging, to the same registry). Labels are closed sets, never ids.
 */
export function createOrdersMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    /** The lab's `circuit_breaker_*` family; orders' one breaker is `inventory`. */
    breakers: createBreakerMetrics(registry),
    ordersTotal: new Counter({
      name: 'orders_total',
      help: 'Order state transitions, by the state entered (pending when placed, then confirmed or cancelled)',
      labelNames: ['status'] as const,
      registers
    }),
    ordersPlaced: new Counter({
      name: 'orders_placed_total',
      help: 'Orders placed (stock reserved, order and its orders.placed.v1 event committed); replays not counted',
      registers
    }),
    paymentTimeouts: new Counter({
      name: 'orders_payment_timeouts_total',
      help: 'Orders cancelled because no payment result arrived within PAYMENT_TIMEOUT_MS (their stock release recorded)',
      registers
    }),
    stockReleases: new Counter({
      name: 'orders_stock_releases_total',
      help: 'Attempts to give reserved stock back at inventory (cancelled orders, orders not stored), by outcome: released, unknown_reservation (inventory had none), failed (retried later), rejected (refused for good by a 4xx, parked)',
      labelNames: ['outcome'] as const,
      registers
    }),
    stockReleaseDue: new Gauge({
      name: 'orders_stock_release_due',
      help: 'Releases of reserved stock orders still owes inventory and tries (rows of stock_releases not parked), as of the last sweep',
      registers
    }),
    stockReleaseParked: new Gauge({
      name: 'orders_stock_release_parked',
      help: 'Releases of reserved stock inventory refused for good (rows of stock_releases parked, due_at infinity): an operator\'s to repair, as of the last sweep',
      registers
    }),
    /** idempotent_replays_total{service="orders"}, the family payments' transfers count in too. */
    idempotentReplays: createIdempotencyMetrics(registry, 'orders').replays
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const status of ORDER_STATUSES) metrics.ordersTotal.inc({ status }, 0)
  for (const outcome of STOCK_RELEASE_OUTCOMES) metrics.stockReleases.inc({ outcome }, 0)
  return metrics
}

export type OrdersMetrics = ReturnType<typeof createOrdersMetrics>
