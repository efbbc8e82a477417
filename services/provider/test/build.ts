import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import { metricValue, uniqueName } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp } from '../src/app.js'
import { loadProviderConfig } from '../src/config.js'

export const TEST_SECRET = 'provider-test-secret-0123456789'

export interface ProviderUnderTest {
  app: LabApp
  registry: Registry
}

/** Environment for a provider under test: quiet logs, quick processing and quick callback retries. */
export function providerEnv (env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('provider-test'),
    LOG_LEVEL: 'error',
    PROVIDER_WEBHOOK_SECRET: TEST_SECRET,
    PROVIDER_PROCESSING_DELAY_MS: '20',
    PROVIDER_CALLBACK_BASE_DELAY_MS: '20',
    PROVIDER_CALLBACK_MAX_DELAY_MS: '200',
    PROVIDER_CALLBACK_TIMEOUT_MS: '1000',
    ...env
  }
}

/** A provider app built in-process (not listening: use app.inject, or listen on port 0). The caller closes it. */
export async function buildProvider (env: Record<string, string> = {}): Promise<ProviderUnderTest> {
  const registry = new Registry()
  const app = await buildApp(loadProviderConfig(providerEnv(env)), { registry, defaultMetrics: false })
  await app.ready()
  return { app, registry }
}

/** A valid POST /charges body for `callbackUrl`, with a fresh chargeId. */
export function chargeRequest (callbackUrl: string, overrides: Record<string, unknown> = {}) {
  return { chargeId: randomUUID(), amountCents: 1299, currency: 'EUR', callbackUrl, ...overrides }
}

export async function postCharge (app: LabApp, body: unknown) {
  return await app.inject({ method: 'POST', url: '/charges', payload: body as Record<string, unknown> })
}

export { metricValue }
