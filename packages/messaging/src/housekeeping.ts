import type pg from 'pg'
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { Type } from '@sinclair/typebox'
import type { MessagingLogger } from './logger.js'
import { sharedCounter } from './metrics.js'
import { Sleeper } from './sleeper.js'

/** The tables the sweeper can purge, as the `table` label of its metrics. */
export type SweptTable = 'idempotency_keys' | 'outbox' | 'processed_messages'

export interface HousekeepingOptions {
  pool: pg.Pool
  log: MessagingLogger
  registry: Registry
  /** The `service` label of the metrics. */
  service: string
  /** Time between two sweeps. */
  intervalMs: number
  /** Idempotency keys past their own `expires_at` (set from the key's retention when it was claimed). */
  idempotencyKeys?: boolean
  /** Outbox rows published longer ago than this. */
  outboxSentRetentionMs?: number
  /**
   * Inbox rows (processed message ids) older than this. Must stay above the topics' retention (Kafka
   * keeps 7 days by default): a message is only ever redelivered while Kafka still has it, so an inbox
   * row older than that can no longer stop a duplicate.
   */
  inboxRetentionMs?: number
  /** Rows per DELETE (default 1000): short statements, short locks, however big the backlog. */
  batchSize?: number
}

/**
 * Each statement deletes at most $2 rows (by ctid, the row's physical address: no index needed beyond
 * the one that finds them). Repeated until a statement deletes fewer than $2.
 * @see https://www.postgresql.org/docs/15/ddl-system-columns.html
 */
const PURGES: Record<SweptTable, string> = {
  idempotency_keys: `DELETE FROM idempotency_keys WHERE ctid IN (
    SELECT ctid FROM idempotency_keys WHERE expires_at <= now() - make_interval(secs => $1) LIMIT $2)`,
  outbox: `DELETE FROM outbox WHERE ctid IN (
    SELECT ctid FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1) LIMIT $2)`,
  processed_messages: `DELETE FROM processed_messages WHERE ctid IN (
    SELECT ctid FROM processed_messages WHERE processed_at < now() - make_interval(secs => $1) LIMIT $2)`
}

/**
 * Keeps the messaging tables from growing without bound: every `intervalMs` it deletes what the
 * retentions say is no longer needed (expired idempotency keys, sent outbox rows, old inbox rows) and
 * counts the rows in housekeeping_rows_purged_total{service, table}. Several replicas may sweep at
 * once: the deletes are idempotent, at worst they skip each other's rows.
 */
export class HousekeepingSweeper {
  readonly #opts: HousekeepingOptions & { batchSize: number }
  readonly #sleeper = new Sleeper()
  readonly #purged
  readonly #errors
  #running = false
  #stopping = false
  #loop: Promise<void> | undefined

  constructor (options: HousekeepingOptions) {
    this.#opts = { batchSize: 1000, ...options, log: options.log.child({ component: 'housekeeping' }) }
    this.#purged = sharedCounter(options.registry, 'housekeeping_rows_purged_total', 'Rows deleted by the housekeeping sweeper, by table (idempotency_keys: expired; outbox: sent and past retention; processed_messages: past retention)', ['service', 'table'])
    this.#errors = sharedCounter(options.registry, 'housekeeping_errors_total', 'Sweeps that failed (retried at the next interval)', ['service'])
    for (const table of this.#tables()) this.#purged.inc({ service: options.service, table: table[0] }, 0)
    this.#errors.inc({ service: options.service }, 0)
  }

  start (): void {
    if (this.#loop !== undefined) return
    this.#running = true
    this.#stopping = false
    this.#loop = this.#run()
  }

  async stop (): Promise<void> {
    this.#running = false
    this.#stopping = true
    this.#sleeper.interrupt()
    await this.#loop
    this.#loop = undefined
  }

  /** One sweep of every configured table; the rows deleted per table. */
  async sweepOnce (): Promise<Partial<Record<SweptTable, number>>> {
    const deleted: Partial<Record<SweptTable, number>> = {}
    for (const [table, retentionMs] of this.#tables()) {
      let total = 0
      for (;;) {
        const { rowCount } = await this.#opts.pool.query(PURGES[table], [retentionMs / 1000, this.#opts.batchSize])
        const n = rowCount ?? 0
        total += n
        this.#purged.inc({ service: this.#opts.service, table }, n)
        if (n < this.#opts.batchSize || this.#stopping) break
      }
      deleted[table] = total
    }
    return deleted
  }

  #tables (): Array<[SweptTable, number]> {
    const { idempotencyKeys, outboxSentRetentionMs, inboxRetentionMs } = this.#opts
    const tables: Array<[SweptTable, number]> = []
    if (idempotencyKeys === true) tables.push(['idempotency_keys', 0])
    if (outboxSentRetentionMs !== undefined) tables.push(['outbox', outboxSentRetentionMs])
    if (inboxRetentionMs !== undefined) tables.push(['processed_messages', inboxRetentionMs])
    return tables
  }

  async #run (): Promise<void> {
    while (this.#running) {
      try {
        const deleted = await this.sweepOnce()
        if (Object.values(deleted).some((n) => n > 0)) this.#opts.log.info({ deleted }, 'housekeeping purged rows past their retention')
      } catch (err) {
        this.#errors.inc({ service: this.#opts.service })
        this.#opts.log.warn({ err }, 'housekeeping sweep failed; trying again at the next interval')
      }
      if (this.#running) await this.#sleeper.sleep(this.#opts.intervalMs)
    }
  }
}

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS

/**
 * The sweeper's knobs, one definition for every service that owns these tables (spread into its
 * config schema, validated at boot with the rest). The retentions (docs/patterns): sent outbox rows
 * 7 days, inbox rows 14 days (twice Kafka's default 7-day topic retention), expired idempotency keys
 * at the next sweep.
 */
export const HousekeepingConfigSchema = {
  /** Time between two sweeps. */
  HOUSEKEEPING_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: DAY_MS, default: 5 * MINUTE_MS }),
  /** Sent outbox rows are kept this long (for inspection), then deleted. */
  OUTBOX_SENT_RETENTION_MS: Type.Integer({ minimum: MINUTE_MS, default: 7 * DAY_MS }),
  /** Processed-message ids are kept this long; keep it above the topics' retention (Kafka: 7 days). */
  INBOX_RETENTION_MS: Type.Integer({ minimum: MINUTE_MS, default: 14 * DAY_MS })
}

export interface HousekeepingConfig { HOUSEKEEPING_INTERVAL_MS: number, OUTBOX_SENT_RETENTION_MS: number, INBOX_RETENTION_MS: number }

/**
 * A sweeper for a Fastify service, from its config: started when the app is ready, stopped (the sweep
 * in flight finished) before the pool closes. `tables` names what the service owns.
 */
export function addHousekeeping (app: FastifyInstance, config: HousekeepingConfig, opts: { pool: pg.Pool, registry: Registry, service: string, tables: { idempotencyKeys: boolean, outbox: boolean, inbox: boolean } }): HousekeepingSweeper {
  const sweeper = new HousekeepingSweeper({
    pool: opts.pool,
    log: app.log,
    registry: opts.registry,
    service: opts.service,
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    idempotencyKeys: opts.tables.idempotencyKeys,
    ...(opts.tables.outbox ? { outboxSentRetentionMs: config.OUTBOX_SENT_RETENTION_MS } : {}),
    ...(opts.tables.inbox ? { inboxRetentionMs: config.INBOX_RETENTION_MS } : {})
  })
  app.addHook('onReady', async () => { sweeper.start() })
  app.addHook('onClose', async () => { await sweeper.stop() })
  return sweeper
}
