import fp from 'fastify-plugin'
import type { OrdersConfig } from '../config.js'
import type { OrderTopics } from '../topics.js'
import type { OrdersMetrics } from '../metrics.js'
import { cancelTimedOutOrders } from '../saga/payment-timeout.js'

/**
 * Runs the saga's payment timeout (saga/payment-timeout.ts) every PAYMENT_TIMEOUT_SWEEP_MS, from when
 * the app is ready until it closes. Several replicas may sweep at once: the order row lock decides.
 */
export const paymentTimeoutPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics, topics: OrderTopics }>(async (app, { config, metrics, topics }) => {
  const deps = { pool: app.pg, inventory: app.inventoryClient, topics, metrics, log: app.log, timeoutMs: config.PAYMENT_TIMEOUT_MS, batch: 100 }
  let timer: NodeJS.Timeout | undefined
  let sweep: Promise<unknown> = Promise.resolve()
  let closing = false
  const schedule = (): void => {
    timer = setTimeout(() => {
      sweep = cancelTimedOutOrders(deps)
        .catch((err: unknown) => { app.log.warn({ err }, 'payment timeout sweep failed; trying again at the next interval') })
        .finally(() => { if (!closing) schedule() })
    }, config.PAYMENT_TIMEOUT_SWEEP_MS)
  }
  app.addHook('onReady', async () => { schedule() })
  app.addHook('onClose', async () => {
    closing = true
    clearTimeout(timer)
    await sweep
  })
}, { name: 'orders-payment-timeout', dependencies: ['lab-postgres', 'orders-inventory'] })
