import type pg from 'pg'
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs'
import type { Registry } from 'prom-client'
import { backoffDelayMs } from '@lab/platform'
import type { MessagingLogger } from './logger.js'
import { OUTBOX_CHANNEL } from './outbox.js'
import { createRelayMetrics, type RelayMetrics } from './outbox-metrics.js'
import { Sleeper } from './sleeper.js'

export interface OutboxRelayOptions {
  pool: pg.Pool
  kafka: Kafka
  log: MessagingLogger
  registry: Registry
  /** The `service` label of the metrics. */
  service: string
  /** How often to look for new rows when no NOTIFY arrives (default 50 ms). */
  pollIntervalMs?: number
  /** Rows per Kafka request (default 100). */
  batchSize?: number
  /** How often a standby instance tries to become the publisher (default 1000 ms). */
  lockRetryMs?: number
  /** Cap of the exponential backoff after a failed publish: 100 ms, doubling per failure in a row up to this (default 5000 ms). */
  maxBackoffMs?: number
}

interface OutboxRow { id: string, topic: string, key: string, envelope: unknown, headers: Record<string, string> }

const LOCK_NAME = 'lab-outbox-relay'
/** The backlog gauges are never older than this while an instance publishes, even with its loop stuck on Kafka. */
const GAUGE_MAX_AGE_MS = 1000
const FIRST_BACKOFF_MS = 100

/**
 * Publishes the outbox in id order. Exactly one instance per database does it at a time: the one
 * holding a session-level advisory lock on its own connection (if it dies, Postgres drops the lock
 * with the connection and a standby takes over). A row is marked sent only after Kafka acknowledged
 * it (acks = all, idempotent producer, one request in flight, so a retry cannot reorder a partition).
 * A crash between the two re-sends the row: delivery is at least once, consumers dedupe on the id.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 * @see https://kafka.js.org/docs/producing#options
 */
export class OutboxRelay {
  readonly #opts: Required<Omit<OutboxRelayOptions, 'registry'>>
  readonly #metrics: RelayMetrics
  readonly #sleeper = new Sleeper()
  #running = false
  #loop: Promise<void> | undefined
  #leader = false
  #lastGaugeUpdate = 0
  #gaugeRefresh: Promise<void> | undefined

  constructor (options: OutboxRelayOptions) {
    this.#opts = { pollIntervalMs: 50, batchSize: 100, lockRetryMs: 1000, maxBackoffMs: 5000, ...options, log: options.log.child({ component: 'outbox-relay' }) }
    this.#metrics = createRelayMetrics(options.registry, options.service)
  }

  /** True while this instance holds the lock and publishes. */
  get isLeader (): boolean { return this.#leader }

  start (): void {
    if (this.#loop !== undefined) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** Finish the batch in flight, then give up the lock and disconnect. */
  async stop (): Promise<void> {
    this.#running = false
    this.#sleeper.interrupt()
    await this.#loop
    this.#loop = undefined
  }

  async #run (): Promise<void> {
    while (this.#running) {
      const client = await this.#tryBecomeLeader()
      if (client === undefined) {
        if (this.#running) await this.#sleeper.sleep(this.#opts.lockRetryMs)
        continue
      }
      await this.#publishWhileLeader(client)
    }
  }

  async #tryBecomeLeader (): Promise<pg.PoolClient | undefined> {
    let client: pg.PoolClient | undefined
    try {
      client = await this.#opts.pool.connect()
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [LOCK_NAME])
      if (rows[0]?.locked !== true) {
        client.release()
        return undefined
      }
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`)
      this.#opts.log.info({ service: this.#opts.service }, 'outbox relay is the publisher')
      return client
    } catch (err) {
      this.#opts.log.warn({ err }, 'outbox relay could not take the publisher lock')
      client?.release(err as Error)
      return undefined
    }
  }

  async #publishWhileLeader (client: pg.PoolClient): Promise<void> {
    const connection: { lost?: Error } = {}
    // A checked-out client that loses its connection emits 'error'; unhandled, that would crash the process.
    const onError = (err: Error): void => { connection.lost = err; this.#sleeper.interrupt() }
    const onNotify = (): void => { this.#sleeper.wake() }
    client.on('error', onError)
    client.on('notification', onNotify)
    this.#leader = true
    this.#metrics.leader.set(1)
    const stopGaugeTimer = this.#startGaugeTimer()
    let producer: Producer | undefined
    let failures = 0
    try {
      while (this.#running && connection.lost === undefined) {
        try {
          producer ??= await this.#connectProducer()
          const published = await this.#publishBatch(client, producer)
          failures = 0
          await this.#updateGauges(client, published === 0)
          const idle = published < this.#opts.batchSize
          if (idle && this.#running && connection.lost === undefined) await this.#sleeper.sleep(this.#opts.pollIntervalMs, { wakeOnNotify: true })
        } catch (err) {
          failures += 1
          this.#metrics.errors.inc()
          const backoffMs = backoffDelayMs(failures, { baseMs: FIRST_BACKOFF_MS, maxMs: this.#opts.maxBackoffMs, jitter: 'none' })
          this.#opts.log.warn({ err, failures, backoffMs }, 'outbox publish failed; rows stay unsent and will be retried')
          await producer?.disconnect().catch(() => {})
          producer = undefined
          await this.#updateGauges(client, true).catch(() => {})
          if (this.#running && connection.lost === undefined) await this.#sleeper.sleep(backoffMs)
        }
      }
    } finally {
      stopGaugeTimer()
      await this.#gaugeRefresh
      this.#leader = false
      this.#metrics.leader.set(0)
      await producer?.disconnect().catch(() => {})
      client.off('notification', onNotify)
      if (connection.lost === undefined) {
        try {
          await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`)
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME])
        } catch (err) {
          connection.lost = err as Error
        }
      }
      client.off('error', onError)
      client.release(connection.lost)
      if (connection.lost !== undefined && this.#running) {
        this.#opts.log.warn({ err: connection.lost }, 'outbox relay lost its Postgres connection (and the lock); taking it again')
      }
    }
  }

  async #connectProducer (): Promise<Producer> {
    const producer = this.#opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
    try {
      await producer.connect()
    } catch (err) {
      await producer.disconnect().catch(() => {})
      throw err
    }
    return producer
  }

  /** Send the oldest unsent rows in one request (grouped by topic, order kept) and mark them sent. */
  async #publishBatch (client: pg.PoolClient, producer: Producer): Promise<number> {
    const { rows } = await client.query<OutboxRow>({
      name: 'messaging.relay-unsent',
      text: 'SELECT id, topic, key, envelope, headers FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1',
      values: [this.#opts.batchSize]
    })
    if (rows.length === 0) return 0
    const byTopic = new Map<string, Message[]>()
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? []
      messages.push({ key: row.key, value: JSON.stringify(row.envelope), headers: row.headers })
      byTopic.set(row.topic, messages)
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
    await client.query({ name: 'messaging.relay-mark-sent', text: 'UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', values: [rows.map((row) => row.id)] })
    this.#metrics.published.inc(rows.length)
    return rows.length
  }

  /**
   * While Kafka is down the loop can wait tens of seconds in one connect or send (kafkajs' own retries),
   * and the backlog gauges would freeze at their last value, 0 most likely, just when the outbox fills
   * up: so a timer refreshes them from the pool whenever the loop has not for GAUGE_MAX_AGE_MS.
   */
  #startGaugeTimer (): () => void {
    const timer = setInterval(() => {
      if (this.#gaugeRefresh !== undefined || Date.now() - this.#lastGaugeUpdate < GAUGE_MAX_AGE_MS) return
      this.#gaugeRefresh = this.#updateGauges(this.#opts.pool, true)
        .catch((err: unknown) => { this.#opts.log.debug({ err }, 'outbox backlog not readable') })
        .finally(() => { this.#gaugeRefresh = undefined })
    }, GAUGE_MAX_AGE_MS / 2)
    timer.unref()
    return () => { clearInterval(timer) }
  }

  /** Backlog gauges, refreshed each loop but at most every 250 ms while draining a big backlog. */
  async #updateGauges (client: pg.Pool | pg.PoolClient, force: boolean): Promise<void> {
    if (!force && Date.now() - this.#lastGaugeUpdate < 250) return
    this.#lastGaugeUpdate = Date.now()
    const { rows } = await client.query<{ backlog: number, age: number }>(
      `SELECT count(*)::int AS backlog,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
         FROM outbox WHERE sent_at IS NULL`
    )
    this.#metrics.backlog.set(rows[0]?.backlog ?? 0)
    this.#metrics.oldestAge.set(rows[0]?.age ?? 0)
  }
}
