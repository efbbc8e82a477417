import { createServiceApp, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import type { ProviderConfig } from './config.js'
import { createProviderMetrics } from './metrics.js'
import { providerPlugin } from './plugins/provider.js'
import { chargeRoutes } from './routes/charges.js'
import { faultRoutes } from './routes/faults.js'

export type BuildOptions = ServiceBuildOptions

/**
 * The simulated payment provider, ready to listen. No database: its charges live in memory (it stands
 * in for a third party), so a restart forgets them. Tests call this in-process; only server.ts listens.
 */
export async function buildApp (config: ProviderConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('provider', config, opts)
  const metrics = createProviderMetrics(registry)
  await app.register(providerPlugin, { config, metrics })
  await app.register(chargeRoutes)
  await app.register(faultRoutes)
  return app
}
