import fp from 'fastify-plugin'
import type { PaymentsConfig } from '../config.js'
import { Reconciler } from '../payments/reconcile.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Settles stale pending card payments by asking the provider (see payments/reconcile.ts). */
    reconciler: Reconciler
  }
}

/** Starts the reconciler when the app is ready; stops it (waiting for its round) before the pool closes. */
export const reconcilerPlugin = fp<{ config: PaymentsConfig }>(async (app, { config }) => {
  const reconciler = new Reconciler({
    pool: app.pg,
    deps: app.payments,
    log: app.log.child({ component: 'reconciler' }),
    intervalMs: config.RECONCILE_INTERVAL_MS,
    afterMs: config.RECONCILE_AFTER_MS,
    batch: config.RECONCILE_BATCH
  })
  app.decorate('reconciler', reconciler)
  app.addHook('onReady', async () => { reconciler.start() })
  app.addHook('onClose', async () => { await reconciler.stop() })
}, { name: 'payments-reconciler', dependencies: ['lab-postgres', 'payments-domain'] })
