import { describe, expect, it } from 'vitest'
import { ConfigError } from '@lab/platform'
import { loadProviderConfig } from '../src/config.js'

describe('provider configuration', () => {
  it('fails fast naming PROVIDER_WEBHOOK_SECRET when it is missing or too short', () => {
    expect(() => loadProviderConfig({})).toThrow(ConfigError)
    expect(() => loadProviderConfig({})).toThrow(/PROVIDER_WEBHOOK_SECRET/)
    expect(() => loadProviderConfig({ PROVIDER_WEBHOOK_SECRET: 'short' })).toThrow(/PROVIDER_WEBHOOK_SECRET/)
  })

  it('reads the fault knobs\' boot values and refuses out-of-range ones', () => {
    const secret = 'a-long-enough-test-secret'
    const config = loadProviderConfig({ PROVIDER_WEBHOOK_SECRET: secret, PROVIDER_ERROR_RATE: '0.3', PROVIDER_LATENCY_MS: '250', PROVIDER_DECLINE_RATE: '0.05' })
    expect(config).toMatchObject({ PORT: 7501, PROVIDER_ERROR_RATE: 0.3, PROVIDER_LATENCY_MS: 250, PROVIDER_DECLINE_RATE: 0.05, PROVIDER_PROCESSING_DELAY_MS: 20 })
    expect(() => loadProviderConfig({ PROVIDER_WEBHOOK_SECRET: secret, PROVIDER_ERROR_RATE: '1.5' })).toThrow(/PROVIDER_ERROR_RATE/)
    expect(() => loadProviderConfig({ PROVIDER_WEBHOOK_SECRET: secret, PROVIDER_LATENCY_MS: '40000' })).toThrow(/PROVIDER_LATENCY_MS/)
  })
})
