import fp from 'fastify-plugin'
import type { OrdersConfig } from '../config.js'
import type { OrderTopics } from '../topics.js'
import type { OrdersMetrics } from '../metrics.js'
import { cancelTimedOutOrders } from '../saga/payment-timeout.js'
import { releaseDueStock } from '../saga/stock-release.js'

export interface SagaSweep {
  /**
   * Run a pass now (or right after the one in progress) instead of at the next interval: called once
   * a cancellation committed, so its stock goes back at once. Safe to call any time, closed included.
   */
  wake: () => void
}

declare module 'fastify' {
  interface FastifyInstance {
    sagaSweep: SagaSweep
  }
}

/**
 * The saga's sweep, from when the app is ready until it closes, every PAYMENT_TIMEOUT_SWEEP_MS and
 * whenever woken: one pass cancels the orders past their payment timeout (saga/payment-timeout.ts),
 * then makes the owed stock releases that are due (saga/stock-release.ts), the timeout's own among
 * them, right after their commit. The next pass comes sooner than the interval when a release comes
 * due sooner: at once after a full batch that left more due (a backlog drains batch after batch, not
 * one batch per interval), at its due time for a release waiting for its retry (so the retry's
 * backoff, STOCK_RELEASE_RETRY_MS up to STOCK_RELEASE_MAX_RETRY_MS, is the wait, not the interval).
 * After a failed try, not sooner than STOCK_RELEASE_RETRY_MS: a backlog inventory cannot take is
 * not spun through. Several replicas may sweep at once: the order row lock decides a cancellation,
 * SKIP LOCKED shares the releases.
 */
export const paymentTimeoutPlugin = fp<{ config: OrdersConfig, metrics: OrdersMetrics, topics: OrderTopics }>(async (app, { config, metrics, topics }) => {
  const timeouts = { pool: app.pg, topics, metrics, log: app.log, timeoutMs: config.PAYMENT_TIMEOUT_MS, batch: 100 }
  const releases = {
    pool: app.pg,
    inventory: app.inventoryClient,
    metrics,
    log: app.log,
    batch: 100,
    retry: { baseMs: config.STOCK_RELEASE_RETRY_MS, maxMs: config.STOCK_RELEASE_MAX_RETRY_MS }
  }
  /** One pass; never throws. Answers in how long the releases want the next one (Infinity: no sooner than the interval). */
  const pass = async (): Promise<number> => {
    await cancelTimedOutOrders(timeouts)
      .catch((err: unknown) => { app.log.warn({ err }, 'payment timeout sweep failed; trying again at the next interval') })
    try {
      const { failed, nextDueInMs } = await releaseDueStock(releases)
      return failed > 0 ? Math.max(nextDueInMs ?? Infinity, releases.retry.baseMs) : nextDueInMs ?? Infinity
    } catch (err) {
      app.log.warn({ err }, 'stock release sweep failed; trying again at the next interval')
      return Infinity
    }
  }

  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let wokenMeanwhile = false
  let closing = false
  // One pass at a time; a wake during a pass runs one more right after it (its commit may have come too late for this one).
  const run = (): void => {
    clearTimeout(timer)
    if (closing) return
    if (running !== undefined) {
      wokenMeanwhile = true
      return
    }
    running = pass().then((releasesDueInMs) => {
      running = undefined
      if (wokenMeanwhile) {
        wokenMeanwhile = false
        run()
      } else if (!closing) {
        timer = setTimeout(run, Math.max(0, Math.min(config.PAYMENT_TIMEOUT_SWEEP_MS, releasesDueInMs)))
      }
    })
  }
  app.decorate('sagaSweep', { wake: run } satisfies SagaSweep)
  app.addHook('onReady', async () => { timer = setTimeout(run, config.PAYMENT_TIMEOUT_SWEEP_MS) })
  app.addHook('onClose', async () => {
    closing = true
    clearTimeout(timer)
    await running
  })
}, { name: 'orders-payment-timeout', dependencies: ['lab-postgres', 'orders-inventory'] })
