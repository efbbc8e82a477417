import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { backoffDelayMs } from '@lab/platform'
import type { MessageHandler } from './consumer-handler.js'
import { applyBatch, applyOne, InfrastructureError } from './consumer-apply.js'
import type { InboxDecision } from './inbox.js'
import type { ConsumerMetrics } from './consumer-metrics.js'
import type { Fetched } from './consumer-parse.js'
import type { DeadLetter } from './dead-letter.js'

export type Outcome = 'processed' | 'duplicate' | 'dead_lettered'

export interface RetryOptions<T> {
  pool: pg.Pool
  consumerName: string
  handle: MessageHandler<T>
  /** Which messages the inbox lets through (default: only new ones, inbox.ts applyOnlyNew). */
  inbox?: InboxDecision | undefined
  /** Handler attempts before the message goes to the dead-letter topic. */
  maxAttempts: number
  /** First retry delay, doubled each attempt (no jitter, no cap: a few attempts of one partition's message). */
  retryBackoffMs: number
  metrics: ConsumerMetrics
  /** Parks a message in its dead-letter topic (and counts it). */
  deadLetter: (letter: DeadLetter) => Promise<void>
}

/**
 * A run of well-formed messages in one transaction (consumer-apply.ts applyBatch); if a handler failed,
 * everything rolled back and the messages go again one by one, in order: those before the failing one
 * from attempt 1, the failing one from attempt 2 (its first failure counted), the rest from attempt 1.
 */
export async function applyWithRetries<T> (opts: RetryOptions<T>, deliveries: Array<Fetched<T>>, heartbeat: () => Promise<void>): Promise<Outcome[]> {
  const result = await applyBatch(opts.pool, opts.consumerName, opts.handle, deliveries, opts.inbox)
  if (result.ok) return result.processed.map((p) => p ? 'processed' : 'duplicate')
  const outcomes: Outcome[] = []
  for (const [i, delivery] of deliveries.entries()) {
    const failed = i === result.index ? result.error : undefined
    outcomes.push(await processWithRetries(opts, delivery, heartbeat, failed))
  }
  return outcomes
}

/**
 * One message in its own transaction, retried with backoff (`retryBackoffMs` doubling), then
 * dead-lettered. `firstFailure`: attempt 1 already failed with it.
 */
async function processWithRetries<T> (opts: RetryOptions<T>, delivery: Fetched<T>, heartbeat: () => Promise<void>, firstFailure?: unknown): Promise<Outcome> {
  const { maxAttempts, retryBackoffMs, consumerName, pool, handle } = opts
  const { ctx, message } = delivery
  for (let attempt = 1; ; attempt++) {
    let err: unknown = attempt === 1 ? firstFailure : undefined
    if (err === undefined) {
      try {
        return await applyOne(pool, consumerName, handle, { envelope: delivery.envelope, ctx: { ...ctx, attempt } }, opts.inbox) ? 'processed' : 'duplicate'
      } catch (e) {
        // Leave the message uncommitted and let kafkajs retry it: the database, not the message, is the problem.
        if (e instanceof InfrastructureError) throw e
        err = e
      }
    }
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    if (attempt >= maxAttempts) {
      ctx.log.error({ err, attempts: attempt }, 'handler failed; message sent to the dead-letter topic')
      await opts.deadLetter({ topic: ctx.topic, partition: ctx.partition, message, consumer: consumerName, error, attempts: attempt })
      return 'dead_lettered'
    }
    opts.metrics.messages.inc({ consumer: consumerName, topic: ctx.topic, outcome: 'retried' })
    ctx.log.warn({ err, attempt }, 'handler failed; retrying')
    await sleep(backoffDelayMs(attempt, { baseMs: retryBackoffMs, jitter: 'none' }))
    await heartbeat()
  }
}
