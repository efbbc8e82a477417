import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase } from '@lab/platform'

/**
 * Everything the provider reads from its environment, validated once at boot. HOST, PORT, INSTANCE_ID
 * and PROVIDER_WEBHOOK_SECRET come from infra/topology.ts; the PROVIDER_*_RATE / LATENCY ones are the
 * fault knobs' values at boot (PUT /admin/faults changes them at run time); the rest shape how the
 * simulated provider processes charges and delivers callbacks.
 */
export const ProviderConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'provider', port: 7501 }),

  /** Shared with payments, which verifies the callbacks' signatures with it. */
  PROVIDER_WEBHOOK_SECRET: Type.String({ minLength: 16, description: 'HMAC-SHA256 key for callback signatures (at least 16 characters)' }),

  /** Share of POST /charges answered 503 PROVIDER_UNAVAILABLE, before anything is stored. */
  PROVIDER_ERROR_RATE: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  /** Added before POST /charges answers, so a caller's timeout can fire. */
  PROVIDER_LATENCY_MS: Type.Integer({ minimum: 0, maximum: 30_000, default: 0 }),
  /** Share of accepted charges decided 'failed' (card_declined). */
  PROVIDER_DECLINE_RATE: Type.Number({ minimum: 0, maximum: 1, default: 0 }),

  /** Time from accepting a charge to deciding it (and sending the callback). */
  PROVIDER_PROCESSING_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 20 }),
  /** Charges remembered; beyond it the oldest are forgotten (memory stays bounded under load tests). */
  PROVIDER_MAX_CHARGES: Type.Integer({ minimum: 1, default: 100_000 }),

  /** Delivery attempts per callback, the first included, before giving up. */
  PROVIDER_CALLBACK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 8 }),
  /** Backoff before the 2nd attempt; doubles each time (with jitter) ... */
  PROVIDER_CALLBACK_BASE_DELAY_MS: Type.Integer({ minimum: 1, default: 200 }),
  /** ... up to this ceiling. */
  PROVIDER_CALLBACK_MAX_DELAY_MS: Type.Integer({ minimum: 1, default: 10_000 }),
  /** One delivery attempt slower than this counts as failed. */
  PROVIDER_CALLBACK_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 2000 })
})

export type ProviderConfig = Readonly<Static<typeof ProviderConfigSchema>>

export function loadProviderConfig (env?: Record<string, string | undefined>): ProviderConfig {
  return loadConfig(ProviderConfigSchema, env)
}
