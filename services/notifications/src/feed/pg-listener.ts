import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { backoffDelayMs } from '@lab/platform'

export interface PgListenerOptions {
  connectionString: string
  applicationName: string
  channel: string
  /** Called with each payload, in the order Postgres delivers them (commit order). */
  onPayload: (payload: string) => void
  /** Called after a reconnection: notifications sent while we were away are lost and must be caught up. */
  onReconnected: () => void
  log: FastifyBaseLogger
  /** Longest wait between two reconnection attempts (the first waits 100 ms, doubling up to this). */
  maxBackoffMs?: number
}

export interface PgListener {
  stop: () => Promise<void>
}

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to queries, and LISTEN belongs to a
 * session), reconnecting with capped exponential backoff when Postgres goes away. The first
 * connection must succeed: the service does not start without its database.
 * @see https://www.postgresql.org/docs/current/sql-listen.html
 */
export async function startPgListener (opts: PgListenerOptions): Promise<PgListener> {
  const { log, channel } = opts
  const maxBackoffMs = opts.maxBackoffMs ?? 5000
  let client: pg.Client | undefined
  let stopped = false
  let retryTimer: NodeJS.Timeout | undefined

  async function connect (): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName, keepAlive: true })
    c.on('notification', (msg) => { if (msg.channel === channel && msg.payload !== undefined) opts.onPayload(msg.payload) })
    c.on('error', (err) => { log.warn({ err }, 'feed listener connection failed') })
    c.on('end', () => { if (client === c) { client = undefined; scheduleReconnect(0) } })
    try {
      await c.connect()
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    } catch (err) {
      await c.end().catch(() => {})
      throw err
    }
    return c
  }

  function scheduleReconnect (attempt: number): void {
    if (stopped) return
    const delay = backoffDelayMs(attempt + 1, { baseMs: 100, maxMs: maxBackoffMs, jitter: 'none' })
    retryTimer = setTimeout(() => {
      connect().then((c) => {
        if (stopped) { c.end().catch(() => {}); return }
        client = c
        log.info({ attempt: attempt + 1 }, 'feed listener reconnected')
        opts.onReconnected()
      }, (err: unknown) => {
        log.warn({ err, attempt: attempt + 1 }, 'feed listener could not reconnect')
        scheduleReconnect(attempt + 1)
      })
    }, delay)
  }

  client = await connect()
  return {
    stop: async () => {
      stopped = true
      clearTimeout(retryTimer)
      const c = client
      client = undefined
      await c?.end()
    }
  }
}
