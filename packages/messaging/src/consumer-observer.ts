import type { Envelope } from './envelope.js'

/** A batch whose effects just committed; its offset is not committed yet. */
export interface AppliedBatch<T = unknown> {
  topic: string
  partition: number
  /** The messages applied now, in offset order: not the duplicates skipped, nor the dead letters. */
  envelopes: Array<Envelope<T>>
}

/**
 * Watches an IdempotentConsumer from outside (IdempotentConsumerOptions.observer): a test waits for an
 * effect, or dies at the one point the idempotent consumer exists for.
 */
export interface ConsumerObserver<T = unknown> {
  /**
   * After a batch's effects and inbox rows committed, before its offset commit; awaited, and called
   * only for a batch that applied something. If it throws, the consumer takes it for a crash right
   * there: it commits nothing more and leaves its group without restarting, as a process that died
   * there would. The member that takes the partition over gets the batch again, and the inbox skips
   * what was applied.
   */
  onBatchApplied?: (batch: AppliedBatch<T>) => void | Promise<void>
}
