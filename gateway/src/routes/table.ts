import type { GatewayConfig } from '../config.js'
import type { UpstreamName } from '../plugins/upstreams.js'

export interface RouteEntry {
  path: string
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
    { path: '/catalog', upstream: 'catalog', rewritePrefix: '' },
    { path: '/inventory', upstream: 'inventory', rewritePrefix: '' },
    {
      path: '/orders',
      upstream: 'orders',
      rewritePrefix: '/orders',
      config: { rateLimitPolicy: { algorithm: 'token-bucket', max: config.ORDERS_RATE_LIMIT_MAX, windowMs: config.ORDERS_RATE_LIMIT_WINDOW_MS } }
    },
    { path: '/payments', upstream: 'payments', rewritePrefix: '' },
    { path: '/notifications', upstream: 'notifications', rewritePrefix: '/notifications' },
    { path: '/feed', upstream: 'notifications', rewritePrefix: '/feed', streaming: true }
  ]
}
