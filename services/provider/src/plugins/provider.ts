import fp from 'fastify-plugin'
import type { ProviderConfig } from '../config.js'
import type { ProviderMetrics } from '../metrics.js'
import { createFaultSwitch, type FaultSwitch } from '../faults.js'
import { ChargeStore } from '../charges/charge-store.js'
import { ChargeProcessor } from '../charges/charge-processor.js'
import { CallbackSender } from '../callbacks/callback-sender.js'

export interface Provider {
  store: ChargeStore
  processor: ChargeProcessor
  faults: FaultSwitch
  metrics: ProviderMetrics
  /** Aborted when the app starts closing: cuts injected latency short so shutdown is not held up. */
  closing: AbortSignal
}

declare module 'fastify' {
  interface FastifyInstance {
    provider: Provider
  }
}

/**
 * Wires the simulated provider: fault knobs (booted from the environment), the in-memory charge
 * store, the processor that decides charges and the sender that delivers their callbacks. Decorated
 * as `app.provider`; on close, pending decisions and deliveries are dropped.
 */
export const providerPlugin = fp<{ config: ProviderConfig, metrics: ProviderMetrics }>(async (app, { config, metrics }) => {
  const faults = createFaultSwitch({
    errorRate: config.PROVIDER_ERROR_RATE,
    latencyMs: config.PROVIDER_LATENCY_MS,
    declineRate: config.PROVIDER_DECLINE_RATE
  }, metrics)
  const store = new ChargeStore({ maxCharges: config.PROVIDER_MAX_CHARGES })
  const callbacks = new CallbackSender({
    secret: config.PROVIDER_WEBHOOK_SECRET,
    maxAttempts: config.PROVIDER_CALLBACK_MAX_ATTEMPTS,
    baseDelayMs: config.PROVIDER_CALLBACK_BASE_DELAY_MS,
    maxDelayMs: config.PROVIDER_CALLBACK_MAX_DELAY_MS,
    timeoutMs: config.PROVIDER_CALLBACK_TIMEOUT_MS,
    metrics,
    log: app.log
  })
  const processor = new ChargeProcessor({ store, faults, callbacks, processingDelayMs: config.PROVIDER_PROCESSING_DELAY_MS, metrics, log: app.log })
  const closing = new AbortController()

  app.decorate('provider', { store, processor, faults, metrics, closing: closing.signal })
  app.addHook('preClose', async () => { closing.abort() })
  app.addHook('onClose', async () => {
    processor.close()
    await callbacks.close()
  })
}, { name: 'provider' })
