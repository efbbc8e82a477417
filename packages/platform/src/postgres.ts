import fp from 'fastify-plugin'
import pg from 'pg'

export interface PostgresOptions {
  connectionString: string
  maxConnections?: number
  /** Name shown in pg_stat_activity, to tell the lab's services apart. */
  applicationName: string
  statementTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool
  }
}

/** A PostgreSQL pool for the app: decorated as `app.pg`, pinged by readiness, drained on close. */
export const postgresPlugin = fp<PostgresOptions>(async (app, opts) => {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? 10,
    application_name: opts.applicationName,
    statement_timeout: opts.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: 3000
  })
  // An idle client losing its connection (Postgres restarted) must not crash the process.
  pool.on('error', (err) => { app.log.warn({ err }, 'idle postgres client error') })
  app.decorate('pg', pool)
  app.health.addCheck('postgres', async () => await pool.query('SELECT 1'))
  app.addHook('onClose', async () => { await pool.end() })
}, { name: 'lab-postgres', dependencies: ['lab-health'] })
