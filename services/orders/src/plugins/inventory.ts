import fp from 'fastify-plugin'
import { createBreaker } from '@lab/platform'
import type { OrdersConfig } from '../config.js'
import type { OrdersMetrics } from '../metrics.js'
import { InventoryClient } from '../inventory-client.js'

declare module 'fastify' {
  interface FastifyInstance {
    inventoryClient: InventoryClient
  }
}

/** The inventory client behind its breaker (`circuit_breaker_*{breaker="inventory"}`): `app.inventoryClient`. */
export const inventoryPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics }>(async (app, { config, metrics }) => {
  const breaker = createBreaker({
    name: 'inventory',
    timeoutMs: config.INVENTORY_TIMEOUT_MS,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    resetTimeoutMs: config.BREAKER_RESET_MS,
    metrics: metrics.breakers,
    log: app.log
  })
  app.decorate('inventoryClient', new InventoryClient({
    baseUrl: config.INVENTORY_URL,
    timeoutMs: config.INVENTORY_TIMEOUT_MS,
    breaker,
    breakerMetrics: metrics.breakers,
    retryAfterSeconds: Math.ceil(config.BREAKER_RESET_MS / 1000)
  }))
  app.addHook('onClose', async () => { breaker.shutdown() })
}, { name: 'orders-inventory' })
