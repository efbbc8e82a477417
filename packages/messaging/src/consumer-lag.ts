import type { Admin, Kafka } from 'kafkajs'
import type { Gauge, Registry } from 'prom-client'
import { backoffDelayMs } from '@lab/platform'
import type { MessagingLogger } from './logger.js'
import { sharedGauge } from './metrics.js'
import { deadLetterTopic } from './dead-letter.js'
import { topicDepth } from './dead-letter-admin.js'

export interface ConsumerLagMonitorOptions {
  kafka: Kafka
  groupId: string
  /** The topics the group consumes (not its dead-letter topics: nobody consumes those; their depth is read too). */
  topics: string[]
  registry: Registry
  log: MessagingLogger
  /** How often to read the offsets (default 5000 ms). */
  intervalMs?: number
  /** While Kafka does not answer, the interval doubles per failure up to this (default 60 000 ms). */
  maxBackoffMs?: number
}

interface PartitionLag { topic: string, partition: number, lag: number }
interface Reading { lags: PartitionLag[], deadLetters: Array<{ topic: string, depth: number }> }

/**
 * Messages of one partition the group has not processed yet: high watermark − committed offset (the
 * committed offset is the next message to read). With no commit (-1) or a commit older than what
 * retention kept, everything still on the partition is unread: high − low. Never negative.
 * @see https://kafka.apache.org/documentation/#basic_ops_consumer_lag
 */
export function partitionLag (committed: string, high: string, low: string): number {
  const end = BigInt(high)
  const start = BigInt(low)
  const next = BigInt(committed) < start ? start : BigInt(committed)
  return next >= end ? 0 : Number(end - next)
}

/**
 * Exports `kafka_consumer_lag{group, topic, partition}` from the Kafka admin API: the LAG column of
 * `kafka-consumer-groups.sh --describe` (which shows '-' where nothing was committed; here that counts
 * everything on the partition). One series per partition (a few per group); per group
 * or topic is PromQL's job. Every instance of a service reports the same group-wide numbers, so
 * aggregate across instances with max, never sum:
 *   sum by (group, topic) (max without (instance) (kafka_consumer_lag))
 * It also exports `kafka_dlq_depth{topic}`, the messages each of the group's dead-letter topics holds
 * (`<topic>.dlq.v1`; nobody consumes them, so what is there waits for an operator): the same for every
 * instance and every group that shares the topic, so `max by (topic) (kafka_dlq_depth)`.
 *
 * Each reading connects an admin client, reads, and disconnects: nothing is held between readings
 * (the timer is unref'd, so the monitor never keeps a process alive), and an outage needs no
 * reconnect logic. When Kafka does not answer, the last values stay, one warning is logged per
 * outage, the interval backs off, and readings resume silently once Kafka is back.
 */
export class ConsumerLagMonitor {
  readonly #opts: Required<Omit<ConsumerLagMonitorOptions, 'log' | 'registry'>>
  readonly #log: MessagingLogger
  readonly #lag: Gauge<'group' | 'topic' | 'partition'>
  readonly #deadLetterDepth: Gauge<'topic'>
  #running = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #reading: { admin: Admin, done: Promise<void> } | undefined
  #failures = 0

  constructor ({ registry, log, ...options }: ConsumerLagMonitorOptions) {
    this.#opts = { intervalMs: 5000, maxBackoffMs: 60_000, ...options }
    this.#log = log.child({ component: 'consumer-lag', groupId: options.groupId })
    this.#lag = sharedGauge(registry, 'kafka_consumer_lag',
      'Messages the consumer group has not processed yet (high watermark - committed offset), per partition; every instance reports its group: aggregate instances with max',
      ['group', 'topic', 'partition'])
    this.#deadLetterDepth = sharedGauge(registry, 'kafka_dlq_depth',
      'Messages a dead-letter topic holds now (high watermark - low watermark, summed over partitions); every instance reports it: aggregate with max',
      ['topic'])
  }

  /** Read now, then every `intervalMs`. */
  start (): void {
    if (this.#running) return
    this.#running = true
    this.#schedule(0)
  }

  /**
   * Stop reading and disconnect the admin client. Does not wait out kafkajs' own connection retries
   * (tens of seconds while Kafka is down): the reading in flight is cut short and cleans up after itself.
   */
  async stop (): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    this.#timer = undefined
    const reading = this.#reading
    if (reading === undefined) return
    await Promise.race([reading.done, reading.admin.disconnect().catch(() => {})])
  }

  #schedule (delayMs: number): void {
    this.#timer = setTimeout(() => {
      const admin = this.#opts.kafka.admin()
      const done = this.#readOnce(admin).finally(() => {
        this.#reading = undefined
        if (this.#running) this.#schedule(this.#nextDelay())
      })
      this.#reading = { admin, done }
    }, delayMs)
    this.#timer.unref()
  }

  /** The interval, doubled per failed reading in a row up to maxBackoffMs, never below the interval. */
  #nextDelay (): number {
    const { intervalMs, maxBackoffMs } = this.#opts
    if (this.#failures === 0) return intervalMs
    return Math.max(intervalMs, backoffDelayMs(this.#failures, { baseMs: 2 * intervalMs, maxMs: maxBackoffMs, jitter: 'none' }))
  }

  /** One reading; never rejects. */
  async #readOnce (admin: Admin): Promise<void> {
    try {
      const { lags, deadLetters } = await this.#read(admin)
      if (!this.#running) return
      for (const { topic, partition, lag } of lags) this.#lag.set({ group: this.#opts.groupId, topic, partition: String(partition) }, lag)
      for (const { topic, depth } of deadLetters) this.#deadLetterDepth.set({ topic }, depth)
      if (this.#failures > 0) this.#log.debug({ failures: this.#failures }, 'consumer lag readable again')
      this.#failures = 0
    } catch (err) {
      if (!this.#running) return // stop() cut the reading short
      if (this.#failures === 0) this.#log.warn({ err }, 'cannot read consumer lag from Kafka; the lag metric keeps its last values until Kafka answers')
      else this.#log.debug({ err, failures: this.#failures }, 'consumer lag still unreadable')
      this.#failures += 1
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }

  /**
   * Sequential on purpose: a fresh admin knows no broker until its metadata is loaded (fetchOffsets
   * would fail with "No brokers in the broker pool" and only a retry would save it), and concurrent
   * metadata refreshes on one kafkajs cluster can close a connection another request is using.
   * A dead-letter topic that does not exist yet (a consumer creates them at start, unless told not to)
   * holds nothing: asking for its metadata would be retried as UNKNOWN_TOPIC_OR_PARTITION for seconds.
   */
  async #read (admin: Admin): Promise<Reading> {
    const { groupId, topics } = this.#opts
    await admin.connect()
    const existing = new Set(await admin.listTopics())
    const deadLetterTopics = topics.map(deadLetterTopic)
    await admin.fetchTopicMetadata({ topics: [...topics, ...deadLetterTopics.filter((t) => existing.has(t))] })
    const committed = await admin.fetchOffsets({ groupId, topics })
    const committedOffset = new Map(committed.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => [`${topic}:${partition}`, offset] as const)))
    const lags: PartitionLag[] = []
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        lags.push({ topic, partition, lag: partitionLag(committedOffset.get(`${topic}:${partition}`) ?? '-1', high, low) })
      }
    }
    const deadLetters: Reading['deadLetters'] = []
    for (const topic of deadLetterTopics) deadLetters.push({ topic, depth: existing.has(topic) ? await topicDepth(admin, topic) : 0 })
    return { lags, deadLetters }
  }
}
