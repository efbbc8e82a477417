import { bootPostgres, createServiceApp, type LabApp, type ServiceBuildOptions } from '@lab/platform'
import { addHousekeeping, idempotentConsumerPlugin, kafkaPlugin } from '@lab/messaging'
import { kafkaBrokers, type NotificationsConfig } from './config.js'
import { createNotificationsMetrics } from './metrics.js'
import { prepareDatabase } from './db/prepare-database.js'
import { notificationsDbPlugin } from './plugins/notifications-db.js'
import { faultsPlugin } from './plugins/faults.js'
import { feedPlugin } from './plugins/feed.js'
import { topicNames } from './topics.js'
import { eventHandlers } from './consumer/handle-event.js'
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
  await bootPostgres(app, config, prepareDatabase)
  const metrics = createNotificationsMetrics(registry)
  await app.register(notificationsDbPlugin)
  await app.register(faultsPlugin, { config })
  await app.register(feedPlugin, { config, metrics })
  // The idempotent consumer of the five checkout topics: one notification per event, in the
  // transaction that records it in the inbox; failures retried, then parked in `<topic>.dlq.v1`.
  const topics = topicNames(config.TOPIC_PREFIX)
  await app.register(kafkaPlugin, { clientId: config.INSTANCE_ID, brokers: kafkaBrokers(config), produces: [], consumes: topics.topics })
  await app.register(idempotentConsumerPlugin, {
    name: 'notifications',
    groupId: `${config.TOPIC_PREFIX}${config.CONSUMER_GROUP}`,
    handlers: eventHandlers({ topics, faults: app.faults, metrics }),
    settings: config,
    // Leaves its group before the feed's listeners and the pool close.
    lifecycle: { stopHook: 'preClose' }
  })
  // The consumer's inbox is the only one of the three tables notifications has.
  addHousekeeping(app, config, { pool: app.pg, registry, service: 'notifications', tables: { idempotencyKeys: false, outbox: false, inbox: true } })
  await app.register(notificationRoutes)
  await app.register(feedRoutes)
  await app.register(adminRoutes)
  await app.register(alertRoutes, { metrics })
  return app
}
