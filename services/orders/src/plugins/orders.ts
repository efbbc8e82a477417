import fp from 'fastify-plugin'
import type { SwitchSet } from '@lab/platform'
import { withIdempotency, withIdempotencyInTwoTransactions, withoutIdempotency } from '@lab/idempotency'
import type { OrdersConfig } from '../config.js'
import type { OrderTopics } from '../topics.js'
import type { OrdersMetrics } from '../metrics.js'
import type { Order } from '../schemas/order.js'
import { findOrder } from '../db/orders.js'
import { placeOrder, type KeyHandling, type PlaceOrderRequest } from '../place-order.js'
import type { OrdersPattern } from '../patterns.js'

export interface Orders {
  place: (req: PlaceOrderRequest) => ReturnType<typeof placeOrder>
  find: (id: string) => Promise<Order | null>
}

declare module 'fastify' {
  interface FastifyInstance {
    orders: Orders
  }
}

/** Placing and reading orders, bound to the app's pool, inventory client and topics: `app.orders`. */
export const ordersPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics, topics: OrderTopics, switches: SwitchSet<OrdersPattern> }>(async (app, { config, metrics, topics, switches }) => {
  // IDEMPOTENCY_CLAIM_IN=own-transaction only for the checkout bench's comparison (README): production is withIdempotency.
  const honoured: KeyHandling = { honoured: true, run: config.IDEMPOTENCY_CLAIM_IN === 'own-transaction' ? withIdempotencyInTwoTransactions : withIdempotency }
  const ignored: KeyHandling = { honoured: false, run: withoutIdempotency }
  const deps = {
    pool: app.pg,
    inventory: app.inventoryClient,
    topics,
    metrics,
    retentionMs: config.IDEMPOTENCY_RETENTION_MS,
    claimTimeoutMs: config.IDEMPOTENCY_CLAIM_TIMEOUT_MS,
    stockReleaseRetry: { baseMs: config.STOCK_RELEASE_RETRY_MS, maxMs: config.STOCK_RELEASE_MAX_RETRY_MS },
    // The sweep is registered after this plugin (app.ts); called only while requests are served.
    wakeStockReleases: () => { app.sagaSweep.wake() },
    keyHandling: () => switches.enabled('idempotency-key') ? honoured : ignored
  }
  app.decorate('orders', {
    place: async (req) => await placeOrder(deps, req),
    find: async (id) => await findOrder(app.pg, id)
  } satisfies Orders)
}, { name: 'orders-domain', dependencies: ['lab-postgres', 'orders-inventory'] })
