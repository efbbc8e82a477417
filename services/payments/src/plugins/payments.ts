import fp from 'fastify-plugin'
import type { AddressInfo } from 'node:net'
import { createBreaker, createRetryBudget, followSwitch, type SwitchSet } from '@lab/platform'
import type { PaymentsConfig } from '../config.js'
import type { PaymentsMetrics } from '../metrics.js'
import { topicNames } from '../events.js'
import { moveMoney } from '../ledger/move-money.js'
import { createProviderClient, jitteredRetryDelay } from '../provider/provider-client.js'
import { retryAtOnce, withoutRetryBudget } from '../provider/provider-client-naive.js'
import type { PaymentDeps } from '../payments/deps.js'
import type { PaymentsPattern } from '../patterns.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The payment steps' dependencies: the ledger with its locking policy, the provider behind its breaker. */
    payments: PaymentDeps
  }
}

const CALLBACK_PATH = '/provider-callbacks'

/**
 * Binds the domain once: moveMoney with the optimistic-locking policy from the config, and the provider
 * client behind the `provider` circuit breaker (closed on app close). Routes and consumers use
 * `app.payments`.
 */
export const paymentsPlugin = fp<{ config: PaymentsConfig, metrics: PaymentsMetrics, switches: SwitchSet<PaymentsPattern> }>(async (app, { config, metrics, switches }) => {
  // Off (`breaker-provider`), charges bypass the breaker: breaker-switch.ts.
  const breaker = followSwitch(createBreaker({
    name: 'provider',
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    resetTimeoutMs: config.BREAKER_RESET_MS,
    metrics: metrics.breakers,
    log: app.log
  }), switches, 'breaker-provider', app.log)
  app.addHook('onClose', async () => { breaker.shutdown() })

  const lockPolicy = {
    maxAttempts: config.LEDGER_MAX_ATTEMPTS,
    baseMs: config.LEDGER_RETRY_BASE_MS,
    maxMs: config.LEDGER_RETRY_MAX_MS,
    metrics: { ...metrics.optimisticLock, exhausted: metrics.lockExhausted }
  }

  // Each retry policy and its switched-off variant, built once; the switches pick one per charge and retry.
  const backoff = jitteredRetryDelay({ baseMs: config.PROVIDER_RETRY_BASE_MS, maxMs: config.PROVIDER_RETRY_MAX_MS })
  const budget = createRetryBudget({
    ratio: config.PROVIDER_RETRY_BUDGET_RATIO,
    minRetriesPerSecond: config.PROVIDER_RETRY_BUDGET_MIN_PER_SECOND,
    windowMs: config.PROVIDER_RETRY_BUDGET_WINDOW_MS
  })
  const unbudgeted = withoutRetryBudget(budget)

  app.decorate('payments', {
    moveMoney: async (client, movement) => {
      const result = await moveMoney(client, movement, lockPolicy)
      metrics.ledgerMoves.inc({ kind: movement.kind })
      return result
    },
    provider: createProviderClient({
      baseUrl: config.PROVIDER_URL,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
      retryDelay: () => switches.enabled('retry-backoff') ? backoff : retryAtOnce,
      retryBudget: () => switches.enabled('retry-budget') ? budget : unbudgeted,
      breaker,
      metrics
    }),
    // PUBLIC_URL when set (Docker: http://payments:7401); else the address this process listens on.
    callbackUrl: () => {
      if (config.PUBLIC_URL !== '') return new URL(CALLBACK_PATH, config.PUBLIC_URL).toString()
      const address = app.server.address() as AddressInfo | null
      const host = address === null || address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address
      return `http://${host.includes(':') ? `[${host}]` : host}:${address?.port ?? config.PORT}${CALLBACK_PATH}`
    },
    topics: topicNames(config.TOPIC_PREFIX),
    metrics,
    switches
  } satisfies PaymentDeps)
}, { name: 'payments-domain' })
