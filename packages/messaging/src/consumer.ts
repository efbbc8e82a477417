import type pg from 'pg'
import { Partitioners, type Consumer, type EachMessagePayload, type Kafka, type Producer } from 'kafkajs'
import type { Registry } from 'prom-client'
import type { MessagingLogger } from './logger.js'
import { parseEnvelope, type Envelope } from './envelope.js'
import { claimMessage } from './inbox.js'
import { deadLetterTopic, headerValue, sendToDeadLetter } from './dead-letter.js'
import { ensureTopics } from './topics.js'
import { createConsumerMetrics, type ConsumerMetrics } from './consumer-metrics.js'
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
  /** How often the group's lag (`kafka_consumer_lag`) is read from Kafka while running (default 5000 ms; 0 disables). */
  lagIntervalMs?: number
  /**
   * Test hook, run after the effect's transaction committed and before the offset commit. Throw a
   * `SimulatedCrash` from it to make the consumer disconnect without committing the offset, as if the
   * process died right there.
   */
  afterCommitBeforeOffset?: (envelope: Envelope<T>) => Promise<void>
}

/** Thrown by an `afterCommitBeforeOffset` hook to simulate a crash between the effect and the offset commit. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash'
}

/** Our own plumbing failed (Postgres down, COMMIT lost): not the message's fault, so no retry count and no DLQ. */
class InfrastructureError extends Error {
  override name = 'InfrastructureError'
}

type Outcome = 'processed' | 'duplicate' | 'dead_lettered'

/**
 * An at-least-once Kafka consumer that applies each message exactly once to its database: the inbox
 * row and the handler's effect commit in one transaction, and the offset (offset + 1, the next message
 * to read) is committed only after that, so a crash in between redelivers a message whose inbox row
 * already exists and it is skipped. A handler that keeps failing is retried with backoff, then the
 * message is parked in `<topic>.dlq.v1` and the partition moves on.
 * @see https://kafka.js.org/docs/consuming#a-name-manual-commits-a-manual-committing
 */
export class IdempotentConsumer<T = unknown> {
  readonly #opts: IdempotentConsumerOptions<T> & { maxAttempts: number, retryBackoffMs: number }
  readonly #log: MessagingLogger
  readonly #metrics: ConsumerMetrics
  #consumer: Consumer | undefined
  #producer: Producer | undefined
  #crashed: Promise<void> | undefined
  #lag: ConsumerLagMonitor | undefined

  constructor (options: IdempotentConsumerOptions<T>) {
    this.#opts = { maxAttempts: 3, retryBackoffMs: 100, ...options }
    this.#log = options.log.child({ component: 'consumer', consumer: options.consumerName })
    this.#metrics = createConsumerMetrics(options.registry)
  }

  /** Connect, subscribe, and resolve once the consumer has joined its group. */
  async start (): Promise<void> {
    const { kafka, groupId, topics, fromBeginning = true } = this.#opts
    if (this.#opts.ensureDeadLetterTopics !== false) await ensureTopics(kafka, topics.map(deadLetterTopic))
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
    await this.#producer.connect()
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.#opts.maxWaitTimeInMs ?? 1000,
      ...(this.#opts.sessionTimeoutMs === undefined ? {} : { sessionTimeout: this.#opts.sessionTimeoutMs })
    })
    this.#consumer = consumer
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#log.error({ err: payload.error, restart: payload.restart }, 'kafka consumer crashed')
    })
    const joined = new Promise<void>((resolve, reject) => {
      const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => { offJoin(); offCrash(); resolve() })
      // A crash kafkajs will not restart from (a non-retriable error) would otherwise leave start() hanging.
      const offCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) { offJoin(); offCrash(); reject(payload.error) }
      })
    })
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning })
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.#opts.partitionsConsumedConcurrently ?? 1,
      eachMessage: async (payload) => { await this.#onMessage(payload) }
    })
    await joined
    this.#log.info({ groupId, topics }, 'consumer started')
    const { lagIntervalMs = 5000, registry, log } = this.#opts
    if (lagIntervalMs > 0) {
      this.#lag = new ConsumerLagMonitor({ kafka, groupId, topics, registry, log, intervalMs: lagIntervalMs })
      this.#lag.start()
    }
  }

  /** Let the message in flight finish, leave the group, disconnect. */
  async stop (): Promise<void> {
    await this.#lag?.stop()
    this.#lag = undefined
    await this.#crashed
    await this.#consumer?.disconnect()
    await this.#producer?.disconnect()
    this.#consumer = undefined
    this.#producer = undefined
  }

  async #onMessage ({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    if (this.#crashed !== undefined) return // "dead": touch nothing, commit nothing
    const parsed = parseEnvelope(message.value)
    const requestId = headerValue(message.headers, 'x-request-id') ?? (parsed.ok ? parsed.envelope.id : message.offset)
    const log = this.#log.child({ reqId: requestId, topic, partition, offset: message.offset, ...(parsed.ok ? { messageId: parsed.envelope.id } : {}) })
    let outcome: Outcome
    if (!parsed.ok) {
      log.warn({ error: parsed.error }, 'malformed message sent to the dead-letter topic')
      await this.#deadLetter({ topic, partition, message, consumer: this.#opts.consumerName, error: parsed.error, attempts: 0 })
      outcome = 'dead_lettered'
    } else {
      const envelope = parsed.envelope as Envelope<T>
      outcome = await this.#processWithRetries(envelope, { topic, partition, offset: message.offset, requestId, log, attempt: 1 }, async (error, attempts) => {
        await this.#deadLetter({ topic, partition, message, consumer: this.#opts.consumerName, error, attempts })
      }, heartbeat)
      if (outcome === 'processed' && this.#opts.afterCommitBeforeOffset !== undefined) {
        try {
          await this.#opts.afterCommitBeforeOffset(envelope)
        } catch (err) {
          if (!(err instanceof SimulatedCrash)) throw err
          log.warn('simulated crash after the effect committed, before the offset commit')
          // Not awaited: disconnecting waits for this very eachMessage to return.
          this.#crashed = (this.#consumer?.disconnect() ?? Promise.resolve()).catch((e: unknown) => { log.warn({ err: e }, 'disconnect after simulated crash failed') })
          return
        }
      }
    }
    this.#metrics.messages.inc({ consumer: this.#opts.consumerName, topic, outcome })
    await this.#consumer?.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
  }

  async #processWithRetries (envelope: Envelope<T>, ctx: MessageContext, deadLetter: (error: string, attempts: number) => Promise<void>, heartbeat: () => Promise<void>): Promise<Outcome> {
    const { maxAttempts, retryBackoffMs, consumerName } = this.#opts
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#applyOnce(envelope, { ...ctx, attempt })
      } catch (err) {
        // Leave the message uncommitted and let kafkajs retry it: the database, not the message, is the problem.
        if (err instanceof InfrastructureError) throw err
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
        if (attempt >= maxAttempts) {
          ctx.log.error({ err, attempts: attempt }, 'handler failed; message sent to the dead-letter topic')
          await deadLetter(error, attempt)
          return 'dead_lettered'
        }
        this.#metrics.messages.inc({ consumer: consumerName, topic: ctx.topic, outcome: 'retried' })
        ctx.log.warn({ err, attempt }, 'handler failed; retrying')
        await new Promise((resolve) => setTimeout(resolve, retryBackoffMs * 2 ** (attempt - 1)))
        await heartbeat()
      }
    }
  }

  /** One attempt: BEGIN; inbox row (or skip a duplicate); handler; COMMIT. */
  async #applyOnce (envelope: Envelope<T>, ctx: MessageContext): Promise<Outcome> {
    const client = await infrastructure(this.#opts.pool.connect())
    let broken: Error | undefined
    try {
      await infrastructure(client.query('BEGIN'))
      if (!await infrastructure(claimMessage(client, this.#opts.consumerName, envelope.id))) {
        await infrastructure(client.query('ROLLBACK'))
        ctx.log.debug('duplicate message skipped')
        return 'duplicate'
      }
      await this.#opts.handle(client, envelope, ctx)
      await infrastructure(client.query('COMMIT'))
      return 'processed'
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => { broken = e })
      throw err
    } finally {
      client.release(broken)
    }
  }

  async #deadLetter (letter: Parameters<typeof sendToDeadLetter>[1]): Promise<void> {
    if (this.#producer === undefined) throw new Error('consumer is not started')
    await infrastructure(sendToDeadLetter(this.#producer, letter))
    this.#metrics.deadLettered.inc({ consumer: letter.consumer, topic: letter.topic })
  }
}

async function infrastructure<R> (step: Promise<R>): Promise<R> {
  try {
    return await step
  } catch (err) {
    throw new InfrastructureError((err as Error).message, { cause: err })
  }
}
