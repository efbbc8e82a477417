import type { FastifyBaseLogger } from 'fastify'
import type { LabApp } from './app.js'
import { postgresPlugin } from './postgres.js'

/** The session a service's boot-time preparation (migrations, seed) opens for itself, apart from the pool. */
export interface BootConnection {
  connectionString: string
  /** `<instance>-boot`, so pg_stat_activity tells the boot session from the pool's. */
  applicationName: string
  log: FastifyBaseLogger
}

/** The variables of `serviceConfigBase` and `postgresConfig` this step reads. */
export interface PostgresServiceConfig {
  INSTANCE_ID: string
  DATABASE_URL: string
  PG_POOL_MAX: number
}

/**
 * The database step of a service's boot: `prepare` brings the schema up to date (and seeds it) on a
 * session of its own, then the app's pool is registered as `app.pg`. When either fails the app is
 * closed before the error goes on, so a failed boot leaves no connection or timer behind; an error
 * while closing is dropped, the boot error is the one that explains the failure.
 */
export async function bootPostgres (app: LabApp, config: PostgresServiceConfig, prepare: (connection: BootConnection) => Promise<unknown>): Promise<void> {
  try {
    await prepare({ connectionString: config.DATABASE_URL, applicationName: `${config.INSTANCE_ID}-boot`, log: app.log })
    await app.register(postgresPlugin, { connectionString: config.DATABASE_URL, applicationName: config.INSTANCE_ID, maxConnections: config.PG_POOL_MAX })
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
}
