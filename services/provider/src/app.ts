import { Registry } from 'prom-client'
import { createBaseApp, type LabApp, type LoggerSettings } from '@lab/platform'
import type { ProviderConfig } from './config.js'
import { createProviderMetrics } from './metrics.js'
import { providerPlugin } from './plugins/provider.js'
import { chargeRoutes } from './routes/charges.js'
import { faultRoutes } from './routes/faults.js'

export interface BuildOptions {
  /** Metrics registry; a fresh one per app by default (tests build several apps in one process). */
  registry?: Registry
  logger?: Partial<LoggerSettings>
  /** Node process metrics; off by default in-process, on in server.ts. */
  defaultMetrics?: boolean
}

/**
 * The simulated payment provider, ready to listen. No database: its charges live in memory (it stands
 * in for a third party), so a restart forgets them. Tests call this in-process; only server.ts listens.
 */
export async function buildApp (config: ProviderConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const registry = opts.registry ?? new Registry()
  const app = await createBaseApp({
    logger: { service: 'provider', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, ...opts.logger },
    registry,
    defaultMetrics: opts.defaultMetrics ?? false
  })
  const metrics = createProviderMetrics(registry)
  await app.register(providerPlugin, { config, metrics })
  await app.register(chargeRoutes)
  await app.register(faultRoutes)
  return app
}
