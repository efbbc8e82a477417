import { createServiceApp, postgresPlugin, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import type { NotificationsConfig } from './config.js'
import { createNotificationsMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { notificationsDbPlugin } from './plugins/notifications-db.js'
import { faultsPlugin } from './plugins/faults.js'
import { feedPlugin } from './plugins/feed.js'
import { consumerPlugin } from './plugins/consumer.js'
import { notificationRoutes } from './routes/notifications.js'
import { feedRoutes } from './routes/feed.js'
import { adminRoutes } from './routes/admin.js'
import { alertRoutes } from './routes/alerts.js'

export type BuildOptions = ServiceBuildOptions

/**
 * The notifications service: schema migrated, clients connected, the feed listening, routes
 * registered; the Kafka consumer starts when the app is ready (app.ready() or listen()).
 * Tests call this in-process; only server.ts listens.
 */
export async function buildApp (config: NotificationsConfig, opts: BuildOptions = {}): Promise<LabApp> {
  const { app, registry } = await createServiceApp('notifications', config, opts)
  try {
    await prepareDatabase({ connectionString: config.DATABASE_URL, applicationName: `${config.INSTANCE_ID}-boot`, log: app.log })
  } catch (err) {
    await app.close()
    throw err
  }

  const metrics = createNotificationsMetrics(registry)
  await app.register(postgresPlugin, { connectionString: config.DATABASE_URL, applicationName: config.INSTANCE_ID, maxConnections: config.PG_POOL_MAX })
  await app.register(notificationsDbPlugin)
  await app.register(faultsPlugin, { config })
  await app.register(feedPlugin, { config, metrics })
  await app.register(consumerPlugin, { config, metrics })
  await app.register(notificationRoutes)
  await app.register(feedRoutes)
  await app.register(adminRoutes)
  await app.register(alertRoutes, { metrics })
  return app
}
