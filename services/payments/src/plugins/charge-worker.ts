import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { ConfigError } from '@lab/platform'
import type { PaymentsConfig } from '../config.js'
import { countDueCharges, type ChargeClaim } from '../db/charge-requests.js'
import { createChargeWorkerMetrics } from '../metrics.js'
import { createChargeWorker } from '../payments/charge-worker.js'
import type { DueWorkRunner } from '../worker/due-work-runner.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Makes the card charges the consumer recorded, outside any transaction (see payments/charge-worker.ts). */
    chargeWorker: DueWorkRunner<ChargeClaim>
  }
}

/** The longest one charge can take at the provider client: every attempt timing out, the longest backoff between them. */
export function longestChargeMs (config: Pick<PaymentsConfig, 'PROVIDER_MAX_ATTEMPTS' | 'PROVIDER_TIMEOUT_MS' | 'PROVIDER_RETRY_MAX_MS'>): number {
  return config.PROVIDER_MAX_ATTEMPTS * config.PROVIDER_TIMEOUT_MS + (config.PROVIDER_MAX_ATTEMPTS - 1) * config.PROVIDER_RETRY_MAX_MS
}

/** Starts the charge worker when the app is ready; stops it (its charges in hand finished) before the pool closes. */
export const chargeWorkerPlugin = fp<{ config: PaymentsConfig, registry: Registry }>(async (app, { config, registry }) => {
  const longest = longestChargeMs(config)
  if (config.CHARGE_LEASE_MS <= longest) {
    throw new ConfigError(`CHARGE_LEASE_MS (${config.CHARGE_LEASE_MS}) must exceed the longest charge, ${longest} ms (PROVIDER_MAX_ATTEMPTS × PROVIDER_TIMEOUT_MS + the backoff between them): a lease running out mid-call hands the charge to a second worker`)
  }
  const worker = createChargeWorker({
    pool: app.pg,
    deps: app.payments,
    log: app.log.child({ component: 'charge-worker' }),
    metrics: createChargeWorkerMetrics(registry, async () => await countDueCharges(app.pg)),
    leaseMs: config.CHARGE_LEASE_MS,
    maxClaims: config.CHARGE_MAX_CLAIMS,
    concurrency: config.CHARGE_WORKER_CONCURRENCY,
    sweepIntervalMs: config.CHARGE_SWEEP_INTERVAL_MS,
    connectionString: config.DATABASE_URL,
    applicationName: `${config.INSTANCE_ID}-charge-worker`
  })
  app.decorate('chargeWorker', worker)
  app.addHook('onReady', async () => { worker.start() })
  app.addHook('onClose', async () => { await worker.stop() })
}, { name: 'payments-charge-worker', dependencies: ['lab-postgres', 'payments-domain'] })
