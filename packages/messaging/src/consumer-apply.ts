import type pg from 'pg'
import { withTransaction, type RollbackInstead } from '@lab/platform'
import type { Envelope } from './envelope.js'
import type { MessageContext, MessageHandler } from './consumer-handler.js'
import { applyOnlyNew, type InboxDecision, type InboxEntry } from './inbox.js'

/** Our own plumbing failed (Postgres down, COMMIT lost): not the message's fault, so no retry count and no DLQ. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError'
}

export async function infrastructure<R> (step: Promise<R>): Promise<R> {
  try {
    return await step
  } catch (err) {
    throw new InfrastructureError((err as Error).message, { cause: err })
  }
}

/**
 * withTransaction, with the failures of the transaction itself (connect, BEGIN, COMMIT, ROLLBACK) as
 * InfrastructureErrors; what `work` throws (a handler's error) comes through as it is.
 */
async function inTransaction<R> (pool: pg.Pool, work: (client: pg.PoolClient, rollbackInstead: RollbackInstead) => Promise<R>): Promise<R> {
  let workFailed = false
  try {
    return await withTransaction(pool, async (client, rollbackInstead) => {
      try {
        return await work(client, rollbackInstead)
      } catch (err) {
        workFailed = true
        throw err
      }
    })
  } catch (err) {
    if (workFailed) throw err
    throw new InfrastructureError((err as Error).message, { cause: err })
  }
}

/** A well-formed message of a batch, ready for its handler. */
export interface Delivery<T> { envelope: Envelope<T>, ctx: MessageContext }

export type BatchResult =
  | { ok: true, processed: boolean[] }
  /** The handler of `deliveries[index]` threw (everything rolled back). */
  | { ok: false, index: number, error: unknown }

/**
 * One transaction for a run of messages of one partition, in offset order: BEGIN; the inbox rows of all
 * of them in one INSERT (the ids already there, or twice in the run, are duplicates); each new message's
 * handler; COMMIT. One WAL flush and a handful of round trips for the whole run instead of per message.
 * A handler that throws rolls the whole run back; the caller then takes the messages one at a time
 * (applyOne), so the failing one alone is retried and dead-lettered.
 * `processed[i]` is false for a duplicate.
 */
export async function applyBatch<T> (pool: pg.Pool, consumerName: string, handle: MessageHandler<T>, deliveries: Array<Delivery<T>>, inbox: InboxDecision = applyOnlyNew): Promise<BatchResult> {
  let index = -1
  try {
    return await inTransaction(pool, async (client): Promise<BatchResult> => {
      const processed = await infrastructure(inbox(client, consumerName, deliveries.map(entryOf)))
      for (index = 0; index < deliveries.length; index++) {
        const { envelope, ctx } = deliveries[index] as Delivery<T>
        if (processed[index] === true) await handle(client, envelope, ctx)
        else ctx.log.debug('duplicate message skipped')
      }
      index = -1
      return { ok: true, processed }
    })
  } catch (err) {
    if (err instanceof InfrastructureError || index < 0) throw err
    return { ok: false, index, error: err }
  }
}

/** One message alone: BEGIN; inbox row (or skip a duplicate, as the inbox decides); handler; COMMIT. True if applied, false if a duplicate. */
export async function applyOne<T> (pool: pg.Pool, consumerName: string, handle: MessageHandler<T>, delivery: Delivery<T>, inbox: InboxDecision = applyOnlyNew): Promise<boolean> {
  const { envelope, ctx } = delivery
  const applied = await inTransaction(pool, async (client, rollbackInstead) => {
    const [isNew] = await infrastructure(inbox(client, consumerName, [entryOf(delivery)]))
    if (isNew !== true) {
      rollbackInstead()
      return false
    }
    await handle(client, envelope, ctx)
    return true
  })
  if (!applied) ctx.log.debug('duplicate message skipped')
  return applied
}

function entryOf<T> ({ envelope, ctx }: Delivery<T>): InboxEntry {
  return { id: envelope.id, topic: ctx.topic }
}
