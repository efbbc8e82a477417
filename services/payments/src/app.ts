import { bootPostgres, createServiceApp, createSwitchSet, labAdminRoutes, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import type { PaymentsConfig } from './config.js'
import { createPaymentsMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { paymentsPlugin } from './plugins/payments.js'
import { messagingPlugin, type ConsumerHooks } from './plugins/messaging.js'
import { reconcilerPlugin } from './plugins/reconciler.js'
import { chargeWorkerPlugin } from './plugins/charge-worker.js'
import { transferRoutes } from './routes/transfers.js'
import { walletRoutes } from './routes/wallets.js'
import { providerCallbackRoutes } from './routes/provider-callbacks.js'
import { PAYMENTS_SWITCHES } from './patterns.js'

export interface BuildOptions extends ServiceBuildOptions {
  /** Test hooks of the Kafka consumer (crash simulation). */
  consumerHooks?: ConsumerHooks
}

/**
 * Payments, ready to listen: schema migrated and wallets seeded (once, under an advisory lock), the
 * provider behind its breaker, the outbox relay, the idempotent consumer, the reconciler and the
 * charge worker started when the app is ready. Tests call this in-process; only server.ts listens for real.
 */
export async function buildApp (config: PaymentsConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('payments', config, opts)
  const seed = { customers: config.SEED_WALLETS, balanceCents: config.SEED_BALANCE_CENTS }
  await bootPostgres(app, config, async (connection) => await prepareDatabase({ ...connection, seed }))
  try {
    const metrics = createPaymentsMetrics(registry)
    const switches = createSwitchSet({ definitions: PAYMENTS_SWITCHES, registry })
    await app.register(paymentsPlugin, { config, metrics, switches })
    await app.register(messagingPlugin, { config, registry, hooks: opts.consumerHooks })
    await app.register(reconcilerPlugin, { config })
    await app.register(chargeWorkerPlugin, { config, registry })
    await app.register(transferRoutes)
    await app.register(walletRoutes)
    await app.register(providerCallbackRoutes, { secret: config.PROVIDER_WEBHOOK_SECRET, toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS })
    // The lab's readiness fault and the pattern switches (/admin/faults/readiness, /admin/switches), fronted by the gateway's admin API.
    await app.register(labAdminRoutes, { switches })
  } catch (err) {
    await app.close()
    throw err
  }
  return app
}
