import { describe, expect, it } from 'vitest'
import { BREAKER_ROLLING_WINDOW_MS } from '@lab/platform'
import { services } from '../../infra/topology.js'
import { loadPaymentsConfig } from '../../services/payments/src/config.js'
import { PAYMENTS_PROVIDER } from '../src/payments-provider.js'

describe('the payments settings experiments 4 and 9 judge by', () => {
  it('are the ones payments runs with in the native lab (its environment in the topology, the breaker\'s window)', () => {
    const payments = services.find((s) => s.name === 'payments')
    const config = loadPaymentsConfig(payments?.env('native') ?? {})
    expect(PAYMENTS_PROVIDER).toEqual({
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
      budgetRatio: config.PROVIDER_RETRY_BUDGET_RATIO,
      budgetMinPerSecond: config.PROVIDER_RETRY_BUDGET_MIN_PER_SECOND,
      budgetWindowMs: config.PROVIDER_RETRY_BUDGET_WINDOW_MS,
      breakerVolumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      breakerErrorThresholdPercent: config.BREAKER_ERROR_THRESHOLD_PERCENT,
      breakerRollingWindowMs: BREAKER_ROLLING_WINDOW_MS
    })
  })
})
