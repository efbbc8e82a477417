import fp from 'fastify-plugin'
import type { OrdersConfig } from '../config.js'
import type { OrderTopics } from '../topics.js'
import type { OrdersMetrics } from '../metrics.js'
import type { Order } from '../schemas/order.js'
import { findOrder } from '../db/orders.js'
import { placeOrder, type PlaceOrderRequest } from '../place-order.js'

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
export const ordersPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics, topics: OrderTopics }>(async (app, { config, metrics, topics }) => {
  const deps = {
    pool: app.pg,
    inventory: app.inventoryClient,
    topics,
    metrics,
    retentionMs: config.IDEMPOTENCY_RETENTION_MS,
    claimTimeoutMs: config.IDEMPOTENCY_CLAIM_TIMEOUT_MS,
    claimIn: config.IDEMPOTENCY_CLAIM_IN
  }
  app.decorate('orders', {
    place: async (req) => await placeOrder(deps, req),
    find: async (id) => await findOrder(app.pg, id)
  } satisfies Orders)
}, { name: 'orders-domain', dependencies: ['lab-postgres', 'orders-inventory'] })
