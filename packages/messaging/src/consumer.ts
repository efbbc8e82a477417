import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs'
import type { Registry } from 'prom-client'
import type { MessagingLogger } from './logger.js'
import { parseEnvelope, type Envelope } from './envelope.js'
import { applyBatch, applyOne, infrastructure, InfrastructureError, type DedupeCheck, type Delivery } from './consumer-apply.js'
import { deadLetterTopic, headerValue, sendToDeadLetter } from './dead-letter.js'
import { ensureTopics } from './topics.js'
import { createConsumerMetrics, zeroConsumerSeries, type ConsumerMetrics } from './consumer-metrics.js'
import { ConsumerLagMonitor } from './consumer-lag.js'

export interface MessageContext {
  topic: string
  partition: number
  offset: string
  /** The `x-request-id` header of the message (the HTTP request that caused it), else the envelope id. */
  requestId: string
  /** A child logger with `reqId`, topic, partition, offset and message id bound. */
  log: MessagingLogger
  /** 1 on the first try, up to `maxAttempts`. */
  attempt: number
}

/** Apply one message's effect using `client`, which is inside the transaction that records the message as processed. */
export type MessageHandler<T = unknown> = (client: pg.PoolClient, envelope: Envelope<T>, ctx: MessageContext) => Promise<void>

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
  /**
   * Test hook, run after the effect's transaction committed and before the offset commit. Throw a
   * `SimulatedCrash` from it to make the consumer disconnect without committing the offset, as if the
   * process died right there.
   */
  afterCommitBeforeOffset?: (envelope: Envelope<T>) => Promise<void>
  /** Whether the inbox skips a message of this topic already applied (default: always; consumer-apply.ts DedupeCheck). */
  dedupe?: DedupeCheck
}

/** Thrown by an `afterCommitBeforeOffset` hook to simulate a crash between the effect and the offset commit. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash'
}

type Outcome = 'processed' | 'duplicate' | 'dead_lettered'
const RESTART_FIRST_DELAY_MS = 1000
const RESTART_MAX_DELAY_MS = 30_000
const STOP_WHILE_JOINING_WAIT_MS = 2000
/** A well-formed message and where it came from (the DLQ copies the original). */
type Fetched<T> = Delivery<T> & { message: KafkaMessage }

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
 * @see https://kafka.js.org/docs/consuming#a-name-manual-commits-a-manual-committing
 * @see https://kafka.js.org/docs/consuming#a-name-each-batch-a-eachbatch
 */
export class IdempotentConsumer<T = unknown> {
  readonly #opts: IdempotentConsumerOptions<T> & { maxAttempts: number, retryBackoffMs: number, batchSize: number }
  readonly #log: MessagingLogger
  readonly #metrics: ConsumerMetrics
  #consumer: Consumer | undefined
  #producer: Producer | undefined
  #crashed: Promise<void> | undefined
  #lag: ConsumerLagMonitor | undefined
  /** Set by stop(): no restart after it, and a restart waiting out its backoff gives up at once. */
  #stopping = new AbortController()
  #restarting: Promise<void> | undefined
  #joined = false

  constructor (options: IdempotentConsumerOptions<T>) {
    this.#opts = { maxAttempts: 3, retryBackoffMs: 100, batchSize: 100, ...options }
    this.#log = options.log.child({ component: 'consumer', consumer: options.consumerName })
    this.#metrics = createConsumerMetrics(options.registry)
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
        eachBatch: async (payload) => { await this.#onBatch(payload) }
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
    for (let delayMs = RESTART_FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, RESTART_MAX_DELAY_MS)) {
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
    await this.#crashed
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
   * A fetched batch of one partition, in runs of at most `batchSize`: each run's well-formed messages
   * in one transaction (consumer-apply.ts applyBatch), then its malformed ones to the DLQ, then ONE
   * offset commit (the run's last offset + 1). Nothing is committed for a run that did not finish.
   */
  async #onBatch ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch
    for (let start = 0; start < batch.messages.length; start += this.#opts.batchSize) {
      if (this.#crashed !== undefined || !isRunning() || isStale()) return // "dead" or rebalanced: commit nothing more
      const run = batch.messages.slice(start, start + this.#opts.batchSize)
      if (!await this.#onRun(topic, partition, run, heartbeat)) return
      const last = run.at(-1) as KafkaMessage
      resolveOffset(last.offset)
      await this.#consumer?.commitOffsets([{ topic, partition, offset: (BigInt(last.offset) + 1n).toString() }])
      await heartbeat()
    }
  }

  /** One run of messages; false if a simulated crash happened (then nothing more may be committed). */
  async #onRun (topic: string, partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
    const { consumerName } = this.#opts
    const deliveries: Array<Fetched<T>> = []
    const malformed: Array<{ message: KafkaMessage, error: string, log: MessagingLogger }> = []
    for (const message of messages) {
      const parsed = parseEnvelope(message.value)
      const requestId = headerValue(message.headers, 'x-request-id') ?? (parsed.ok ? parsed.envelope.id : message.offset)
      const log = this.#log.child({ reqId: requestId, topic, partition, offset: message.offset, ...(parsed.ok ? { messageId: parsed.envelope.id } : {}) })
      if (parsed.ok) deliveries.push({ envelope: parsed.envelope as Envelope<T>, ctx: { topic, partition, offset: message.offset, requestId, log, attempt: 1 }, message })
      else malformed.push({ message, error: parsed.error, log })
    }
    const outcomes: Outcome[] = deliveries.length === 0 ? [] : await this.#applyRun(deliveries, heartbeat)
    for (const [i, delivery] of deliveries.entries()) {
      if (outcomes[i] !== 'processed' || this.#opts.afterCommitBeforeOffset === undefined) continue
      try {
        await this.#opts.afterCommitBeforeOffset(delivery.envelope)
      } catch (err) {
        if (!(err instanceof SimulatedCrash)) throw err
        delivery.ctx.log.warn('simulated crash after the effect committed, before the offset commit')
        // Not awaited: disconnecting waits for this very eachBatch to return.
        this.#crashed = (this.#consumer?.disconnect() ?? Promise.resolve()).catch((e: unknown) => { delivery.ctx.log.warn({ err: e }, 'disconnect after simulated crash failed') })
        return false
      }
    }
    for (const { message, error, log } of malformed) {
      log.warn({ error }, 'malformed message sent to the dead-letter topic')
      await this.#deadLetter({ topic, partition, message, consumer: consumerName, error, attempts: 0 })
      this.#metrics.messages.inc({ consumer: consumerName, topic, outcome: 'dead_lettered' })
    }
    for (const outcome of outcomes) this.#metrics.messages.inc({ consumer: consumerName, topic, outcome })
    return true
  }

  /**
   * The run in one transaction; if a handler failed, everything rolled back and the messages go again
   * one by one, in order: those before the failing one from attempt 1, the failing one from attempt 2
   * (its first failure counted), the rest from attempt 1.
   */
  async #applyRun (deliveries: Array<Fetched<T>>, heartbeat: () => Promise<void>): Promise<Outcome[]> {
    const { pool, consumerName, handle } = this.#opts
    const result = await applyBatch(pool, consumerName, handle, deliveries, this.#opts.dedupe)
    if (result.ok) return result.processed.map((p) => p ? 'processed' : 'duplicate')
    const outcomes: Outcome[] = []
    for (const [i, delivery] of deliveries.entries()) {
      const failed = i === result.index ? result.error : undefined
      outcomes.push(await this.#processWithRetries(delivery, heartbeat, failed))
    }
    return outcomes
  }

  /** One message in its own transaction, retried with backoff, then dead-lettered. `firstFailure`: attempt 1 already failed with it. */
  async #processWithRetries (delivery: Fetched<T>, heartbeat: () => Promise<void>, firstFailure?: unknown): Promise<Outcome> {
    const { maxAttempts, retryBackoffMs, consumerName, pool, handle } = this.#opts
    const { ctx, message } = delivery
    for (let attempt = 1; ; attempt++) {
      let err: unknown = attempt === 1 ? firstFailure : undefined
      if (err === undefined) {
        try {
          return await applyOne(pool, consumerName, handle, { envelope: delivery.envelope, ctx: { ...ctx, attempt } }, this.#opts.dedupe) ? 'processed' : 'duplicate'
        } catch (e) {
          // Leave the message uncommitted and let kafkajs retry it: the database, not the message, is the problem.
          if (e instanceof InfrastructureError) throw e
          err = e
        }
      }
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      if (attempt >= maxAttempts) {
        ctx.log.error({ err, attempts: attempt }, 'handler failed; message sent to the dead-letter topic')
        await this.#deadLetter({ topic: ctx.topic, partition: ctx.partition, message, consumer: consumerName, error, attempts: attempt })
        return 'dead_lettered'
      }
      this.#metrics.messages.inc({ consumer: consumerName, topic: ctx.topic, outcome: 'retried' })
      ctx.log.warn({ err, attempt }, 'handler failed; retrying')
      await new Promise((resolve) => setTimeout(resolve, retryBackoffMs * 2 ** (attempt - 1)))
      await heartbeat()
    }
  }

  async #deadLetter (letter: Parameters<typeof sendToDeadLetter>[1]): Promise<void> {
    if (this.#producer === undefined) throw new Error('consumer is not started')
    await infrastructure(sendToDeadLetter(this.#producer, letter))
    this.#metrics.deadLettered.inc({ consumer: letter.consumer, topic: letter.topic })
  }
}
