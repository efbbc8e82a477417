import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs'
import type { Registry } from 'prom-client'
import { backoffDelayMs, type BackoffPolicy } from '@lab/platform'
import type { MessagingLogger } from './logger.js'
import type { MessageHandler } from './consumer-handler.js'
import { infrastructure } from './consumer-apply.js'
import type { InboxDecision } from './inbox.js'
import { consumeBatch, type BatchOptions } from './consumer-batch.js'
import type { ConsumerObserver } from './consumer-observer.js'
import { deadLetterTopic, sendToDeadLetter, type DeadLetter } from './dead-letter.js'
import { ensureTopics } from './topics.js'
import { createConsumerMetrics, zeroConsumerSeries, type ConsumerMetrics } from './consumer-metrics.js'
import { ConsumerLagMonitor } from './consumer-lag.js'

export interface IdempotentConsumerOptions<T = unknown> {
  kafka: Kafka
  pool: pg.Pool
  groupId: string
  topics: string[]
  /** Key of the inbox rows: one consumer name per logical handler (e.g. 'orders.payment-results'). */
  consumerName: string
  handle: MessageHandler<T>
  log: MessagingLogger
  registry: Registry
  /**
   * Most messages applied in one transaction, with one offset commit (default 100). A consumer that
   * keeps up sees small batches (latency unchanged); one that lags catches up in big ones. 1: a
   * transaction and an offset commit per message.
   */
  batchSize?: number
  /** Handler attempts before the message goes to the dead-letter topic (default 3). */
  maxAttempts?: number
  /** First retry delay, doubled each attempt (default 100 ms). */
  retryBackoffMs?: number
  /** Where a group with no committed offset starts (default true: no event published before the first deploy is lost). */
  fromBeginning?: boolean
  partitionsConsumedConcurrently?: number
  sessionTimeoutMs?: number
  /** Longest a fetch waits for new messages (default 1000 ms); stop() waits for the fetch in flight. */
  maxWaitTimeInMs?: number
  /** Create the `<topic>.dlq.v1` topics at start (default true). */
  ensureDeadLetterTopics?: boolean
  /** How often the group's lag (`kafka_consumer_lag`) and its dead-letter topics' depth (`kafka_dlq_depth`) are read from Kafka while running (default 5000 ms; 0 disables). */
  lagIntervalMs?: number
  /** Told of each batch applied, before its offset commit (consumer-observer.ts; a test can die right there). */
  observer?: ConsumerObserver<T>
  /** Which messages the inbox lets through: by default only new ones (inbox.ts applyOnlyNew); a lab switch's off variant is inbox-apply-again.ts's. */
  inbox?: InboxDecision
}

/** A new kafkajs consumer after a crash: 1 s, doubling up to 30 s. */
const RESTART_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, jitter: 'none' }
const STOP_WHILE_JOINING_WAIT_MS = 2000

/**
 * An at-least-once Kafka consumer that applies each message exactly once to its database: the inbox
 * row and the handler's effect commit in one transaction, and the offset (offset + 1, the next message
 * to read) is committed only after that, so a crash in between redelivers a message whose inbox row
 * already exists and it is skipped. A handler that keeps failing is retried with backoff, then the
 * message is parked in `<topic>.dlq.v1` and the partition moves on.
 * It works in batches (eachBatch): up to `batchSize` messages of a partition share one transaction and
 * one offset commit, the promise unchanged (their inbox rows and effects commit together, the offset
 * after them), at a fraction of the WAL flushes and Kafka round trips. A failing handler rolls its
 * batch back, and the batch is redone one message per transaction, so only that message is retried.
 * This file holds the Kafka session (start, join, restart, stop); a batch is consumer-batch.ts's,
 * parsing consumer-parse.ts's, retries and dead letters consumer-retry.ts's, the transactions
 * consumer-apply.ts's.
 * @see https://kafka.js.org/docs/consuming#a-name-manual-commits-a-manual-committing
 */
export class IdempotentConsumer<T = unknown> {
  readonly #opts: IdempotentConsumerOptions<T>
  readonly #log: MessagingLogger
  readonly #metrics: ConsumerMetrics
  readonly #batch: BatchOptions<T>
  #consumer: Consumer | undefined
  #producer: Producer | undefined
  /** The disconnect after an observer failed (#endSession): the session is over, nothing more is committed. */
  #ended: Promise<void> | undefined
  #lag: ConsumerLagMonitor | undefined
  /** Set by stop(): no restart after it, and a restart waiting out its backoff gives up at once. */
  #stopping = new AbortController()
  #restarting: Promise<void> | undefined
  #joined = false

  constructor (options: IdempotentConsumerOptions<T>) {
    this.#opts = options
    this.#log = options.log.child({ component: 'consumer', consumer: options.consumerName })
    this.#metrics = createConsumerMetrics(options.registry)
    const { pool, consumerName, handle, inbox, observer, maxAttempts = 3, retryBackoffMs = 100, batchSize = 100 } = options
    const settings = { pool, consumerName, handle, inbox, observer, maxAttempts, retryBackoffMs, batchSize }
    this.#batch = {
      ...settings,
      log: this.#log,
      metrics: this.#metrics,
      deadLetter: async (letter) => { await this.#deadLetter(letter) },
      commitOffset: async (topic, partition, offset) => { await this.#consumer?.commitOffsets([{ topic, partition, offset }]) },
      sessionEnded: () => this.#ended !== undefined,
      endSession: () => { this.#endSession() }
    }
  }

  /** Connect, subscribe, and resolve once the consumer has joined its group. */
  async start (): Promise<void> {
    const { kafka, groupId, topics } = this.#opts
    zeroConsumerSeries(this.#metrics, this.#opts.consumerName, topics)
    this.#stopping = new AbortController()
    if (this.#opts.ensureDeadLetterTopics !== false) await ensureTopics(kafka, topics.map(deadLetterTopic))
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
    try {
      await this.#producer.connect()
      await this.#runConsumer()
    } catch (err) {
      // Nothing left connected, so start() can be called again.
      await this.#producer.disconnect().catch(() => {})
      this.#producer = undefined
      throw err
    }
    this.#log.info({ groupId, topics }, 'consumer started')
    const { lagIntervalMs = 5000, registry, log } = this.#opts
    if (lagIntervalMs > 0) {
      this.#lag = new ConsumerLagMonitor({ kafka, groupId, topics, registry, log, intervalMs: lagIntervalMs })
      this.#lag.start()
    }
  }

  /** Whether the consumer is in its group now (false while it starts, or restarts after a crash). */
  get joined (): boolean {
    return this.#joined
  }

  /**
   * A kafkajs consumer, subscribed and running; resolves once it has joined the group. kafkajs restarts
   * a consumer after a retriable crash by itself; after a non-retriable one (e.g. "The coordinator is
   * not aware of this member": a handler slower than the session got the member dropped, then its
   * offset commit is refused) it leaves it disconnected for good, so #restart makes a new one.
   */
  async #runConsumer (): Promise<void> {
    const { kafka, groupId, topics, fromBeginning = true } = this.#opts
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.#opts.maxWaitTimeInMs ?? 1000,
      ...(this.#opts.sessionTimeoutMs === undefined ? {} : { sessionTimeout: this.#opts.sessionTimeoutMs })
    })
    this.#consumer = consumer
    let hasJoined = false
    consumer.on(consumer.events.GROUP_JOIN, () => { hasJoined = true; this.#joined = true })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#log.error({ err: payload.error, restart: payload.restart }, payload.restart ? 'kafka consumer crashed; kafkajs restarts it' : 'kafka consumer crashed')
      if (payload.restart) return
      this.#joined = false
      // Before the first join, the caller of #runConsumer sees the crash (the promise below rejects).
      if (hasJoined && this.#consumer === consumer && !this.#stopping.signal.aborted) this.#restarting = this.#restart()
    })
    const joined = new Promise<void>((resolve, reject) => {
      const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => { offAll(); resolve() })
      // A crash kafkajs will not restart from (a non-retriable error) would otherwise leave start() hanging.
      const offCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) { offAll(); reject(payload.error) }
      })
      // stop() while joining (a dead member's session can hold the join for its whole length).
      const { signal } = this.#stopping
      const onStop = () => { offAll(); reject(new Error('consumer stopped before it joined its group')) }
      signal.addEventListener('abort', onStop, { once: true })
      const offAll = () => { offJoin(); offCrash(); signal.removeEventListener('abort', onStop) }
    })
    joined.catch(() => {}) // handled below; a rejection that loses the race is not unhandled
    try {
      await consumer.connect()
      await consumer.subscribe({ topics, fromBeginning })
      const running = consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#opts.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => { await consumeBatch(this.#batch, payload) }
      })
      // run() itself waits for the first join: a stop() meanwhile rejects `joined` and must not wait for it.
      await Promise.race([running.then(async () => { await joined }), joined])
    } catch (err) {
      const disconnected = consumer.disconnect().catch(() => {})
      // Stopped while joining: stop() bounds its wait for this disconnect (see there); do not wait here.
      if (!this.#stopping.signal.aborted) await disconnected
      throw err
    }
  }

  /**
   * A new kafkajs consumer after a crash kafkajs gives up on, with backoff (1 s doubling to 30 s) until
   * it joins again; counted in `kafka_consumer_restarts_total`. Messages whose offsets were not
   * committed come again and the inbox skips the ones already applied.
   */
  async #restart (): Promise<void> {
    const { consumerName, groupId } = this.#opts
    for (let retry = 1; ; retry++) {
      const delayMs = backoffDelayMs(retry, RESTART_BACKOFF)
      this.#log.warn({ delayMs }, 'restarting the kafka consumer')
      try {
        await sleep(delayMs, undefined, { signal: this.#stopping.signal })
      } catch {
        return // stopped while waiting
      }
      try {
        await this.#runConsumer()
        this.#metrics.restarts.inc({ consumer: consumerName })
        this.#log.info({ groupId }, 'consumer restarted')
        return
      } catch (err) {
        if (this.#stopping.signal.aborted) return
        this.#log.error({ err }, 'restarting the kafka consumer failed')
      }
    }
  }

  /** Let the message in flight finish, leave the group, disconnect. */
  async stop (): Promise<void> {
    this.#stopping.abort()
    await this.#lag?.stop()
    this.#lag = undefined
    await this.#restarting
    await this.#ended
    const disconnecting = this.#consumer?.disconnect()
    if (this.#joined || disconnecting === undefined) {
      await disconnecting
    } else {
      // Still joining: kafkajs' disconnect waits for the JoinGroup in flight, which the coordinator may
      // hold until a dead member's session expires (30 s). Not worth holding a shutdown for.
      const done = await Promise.race([disconnecting.then(() => true, () => true), sleep(STOP_WHILE_JOINING_WAIT_MS, false)])
      if (!done) this.#log.warn('consumer stopped while still joining its group; not waiting for the join request in flight')
    }
    await this.#producer?.disconnect()
    this.#consumer = undefined
    this.#producer = undefined
    this.#joined = false
  }

  /**
   * An observer failed between a batch's effects and its offset commit (consumer-observer.ts): leave
   * the group as a process that died there would. Not awaited: disconnecting waits for the very
   * eachBatch that called this to return; stop() waits for it.
   */
  #endSession (): void {
    this.#ended = (this.#consumer?.disconnect() ?? Promise.resolve())
      .catch((err: unknown) => { this.#log.warn({ err }, 'disconnect after the observer failed did not succeed') })
  }

  async #deadLetter (letter: DeadLetter): Promise<void> {
    if (this.#producer === undefined) throw new Error('consumer is not started')
    await infrastructure(sendToDeadLetter(this.#producer, letter))
    this.#metrics.deadLettered.inc({ consumer: letter.consumer, topic: letter.topic })
  }
}
