import { Registry } from 'prom-client'
import { onTestFinished } from 'vitest'
import { listenOnFreePort, testInfra, uniqueName } from '@lab/testkit'
import { buildApp } from '../src/app.js'
import { loadGatewayConfig } from '../src/config.js'
import type { LabApp } from '@lab/platform'

/**
 * A gateway listening on a free port, with test-friendly defaults (quick health checks, a short
 * timeout) that `env` overrides; closed when the test ends.
 */
export async function buildGateway (env: Record<string, string>): Promise<{ app: LabApp, url: string, registry: Registry }> {
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    REDIS_URL: testInfra().redisUrl,
    RATE_LIMIT_KEY_PREFIX: `${uniqueName('gw')}:`,
    RATE_LIMIT_MAX: '100000',
    UPSTREAM_TIMEOUT_MS: '500',
    HEALTH_CHECK_INTERVAL_MS: '100',
    HEALTH_CHECK_TIMEOUT_MS: '100',
    BREAKER_RESET_TIMEOUT_MS: '1000',
    ...env
  })
  const registry = new Registry()
  const app = await buildApp(config, { registry, defaultMetrics: false })
  const url = await listenOnFreePort(app)
  onTestFinished(async () => { await app.close() })
  return { app, url, registry }
}

export { metricValue } from '@lab/testkit'
