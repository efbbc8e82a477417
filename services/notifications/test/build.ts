import { Registry } from 'prom-client'
import { testInfra, uniqueName, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp } from '../src/app.js'
import { loadNotificationsConfig } from '../src/config.js'

export interface NotificationsUnderTest {
  app: LabApp
  registry: Registry
}

/**
 * Environment for a notifications service under test: its own topics (TOPIC_PREFIX) and consumer
 * group, quick retries, quiet logs. Two apps given the same env are two replicas of one service.
 */
export function notificationsEnv (db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: uniqueName('notifications-test'),
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    TOPIC_PREFIX: `${uniqueName('nt')}.`,
    CONSUMER_GROUP: uniqueName('notifications'),
    CONSUMER_MAX_ATTEMPTS: '3',
    CONSUMER_RETRY_BACKOFF_MS: '20',
    ...env
  }
}

/** A notifications app, ready (its consumer has joined its group), not listening. The caller closes it. */
export async function buildNotifications (env: Record<string, string>): Promise<NotificationsUnderTest> {
  const registry = new Registry()
  const app = await buildApp(loadNotificationsConfig(env), { registry, defaultMetrics: false })
  try {
    await app.ready()
  } catch (err) {
    await app.close()
    throw err
  }
  return { app, registry }
}

export { eventually } from '@lab/testkit'
