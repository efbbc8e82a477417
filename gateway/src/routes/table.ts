import type { HTTPMethods } from 'fastify'
import type { GatewayConfig } from '../config.js'
import type { UpstreamName } from '../plugins/upstreams.js'

export interface RouteEntry {
  path: string
  /** The methods served (all by default): internal and admin operations are not exposed. */
  methods?: HTTPMethods[]
  upstream: UpstreamName
  rewritePrefix: string
  streaming?: boolean
  config?: Record<string, unknown>
}

/**
 * What the gateway exposes, in one table: the path prefix clients use, the upstream that serves it,
 * and what the prefix becomes there.
 */
export function routeTable (config: GatewayConfig): RouteEntry[] {
  return [
    // The catalog's public reads and writes, not its /health or /metrics.
    { path: '/catalog/products', upstream: 'catalog', rewritePrefix: '/products' },
    { path: '/catalog/categories', upstream: 'catalog', rewritePrefix: '/categories', methods: ['GET', 'HEAD'] },
    // Stock levels only: reservations are orders' business, and PUT /stock is an admin operation.
    { path: '/inventory/stock', upstream: 'inventory', rewritePrefix: '/stock', methods: ['GET', 'HEAD'] },
    {
      path: '/orders',
      upstream: 'orders',
      rewritePrefix: '/orders',
      config: { rateLimitPolicy: { algorithm: 'token-bucket', max: config.ORDERS_RATE_LIMIT_MAX, windowMs: config.ORDERS_RATE_LIMIT_WINDOW_MS } }
    },
    // Wallets, transfers and the ledger check; the provider's callbacks reach payments directly.
    { path: '/payments/wallets', upstream: 'payments', rewritePrefix: '/wallets', methods: ['GET', 'HEAD'] },
    { path: '/payments/transfers', upstream: 'payments', rewritePrefix: '/transfers', methods: ['POST'] },
    { path: '/payments/ledger', upstream: 'payments', rewritePrefix: '/ledger', methods: ['GET', 'HEAD'] },
    { path: '/notifications', upstream: 'notifications', rewritePrefix: '/notifications' },
    { path: '/feed', upstream: 'notifications', rewritePrefix: '/feed', streaming: true }
  ]
}
