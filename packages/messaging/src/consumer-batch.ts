import type { EachBatchPayload, KafkaMessage } from 'kafkajs'
import type { MessagingLogger } from './logger.js'
import type { AppliedBatch, ConsumerObserver } from './consumer-observer.js'
import { deadLetterMalformed, parseRun } from './consumer-parse.js'
import { applyWithRetries, type Outcome, type RetryOptions } from './consumer-retry.js'

/** What a fetched batch needs from the consumer that holds the Kafka session (consumer.ts). */
export interface BatchOptions<T> extends RetryOptions<T> {
  /** Most messages applied in one transaction, with one offset commit. */
  batchSize: number
  log: MessagingLogger
  observer?: ConsumerObserver<T> | undefined
  /** Commits a partition's offset: the next message to read. */
  commitOffset: (topic: string, partition: number, offset: string) => Promise<void>
  /** True once the session ended after an observer failed: nothing more may be committed. */
  sessionEnded: () => boolean
  /** Ends the session without committing anything more (an observer failed). */
  endSession: () => void
}

/**
 * A fetched batch of one partition, in runs of at most `batchSize`: each run's well-formed messages in
 * one transaction (consumer-retry.ts), its malformed ones to the DLQ, then ONE offset commit (the run's
 * last offset + 1, the next message to read). Nothing is committed for a run that did not finish, nor
 * once the consumer stops, loses the partition to a rebalance, or its session ended.
 * @see https://kafka.js.org/docs/consuming#a-name-each-batch-a-eachbatch
 */
export async function consumeBatch<T> (opts: BatchOptions<T>, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
  const { topic, partition } = batch
  for (let start = 0; start < batch.messages.length; start += opts.batchSize) {
    if (opts.sessionEnded() || !isRunning() || isStale()) return // "dead" or rebalanced: commit nothing more
    const run = batch.messages.slice(start, start + opts.batchSize)
    if (!await consumeRun(opts, topic, partition, run, heartbeat)) return
    const last = run.at(-1) as KafkaMessage
    resolveOffset(last.offset)
    await opts.commitOffset(topic, partition, (BigInt(last.offset) + 1n).toString())
    await heartbeat()
  }
}

/** One run of messages; false if the observer failed (then nothing more may be committed). */
async function consumeRun<T> (opts: BatchOptions<T>, topic: string, partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
  const { consumerName, metrics } = opts
  const { deliveries, malformed } = parseRun<T>(opts.log, topic, partition, messages)
  const outcomes: Outcome[] = deliveries.length === 0 ? [] : await applyWithRetries(opts, deliveries, heartbeat)
  const applied = deliveries.filter((_, i) => outcomes[i] === 'processed').map((d) => d.envelope)
  if (!await tellObserver(opts, { topic, partition, envelopes: applied })) return false
  await deadLetterMalformed(malformed, { topic, partition, consumer: consumerName, metrics, deadLetter: opts.deadLetter })
  for (const outcome of outcomes) metrics.messages.inc({ consumer: consumerName, topic, outcome })
  return true
}

/** The observer's onBatchApplied, if anything was applied; false if it threw (the session is ended then). */
async function tellObserver<T> (opts: BatchOptions<T>, batch: AppliedBatch<T>): Promise<boolean> {
  const onBatchApplied = opts.observer?.onBatchApplied
  if (batch.envelopes.length === 0 || onBatchApplied === undefined) return true
  try {
    await onBatchApplied(batch)
    return true
  } catch (err) {
    opts.log.error({ err, topic: batch.topic, partition: batch.partition }, 'consumer observer failed after the effects committed; leaving the group without committing the offset')
    opts.endSession()
    return false
  }
}
