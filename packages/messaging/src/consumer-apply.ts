import type pg from 'pg'
import type { Envelope } from './envelope.js'
import type { MessageContext, MessageHandler } from './consumer.js'
import { claimMessage, claimMessages } from './inbox.js'

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

/** A well-formed message of a batch, ready for its handler. */
export interface Delivery<T> { envelope: Envelope<T>, ctx: MessageContext }

/**
 * Whether the inbox check applies to a message of `topic` (IdempotentConsumerOptions.dedupe). When it
 * does not (a lab pattern switch turned off), the inbox row is still written, but a message already
 * there is applied again: the redelivery Kafka's at-least-once promise allows reaches the handler.
 */
export type DedupeCheck = (topic: string) => boolean
const always: DedupeCheck = () => true

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
export async function applyBatch<T> (pool: pg.Pool, consumerName: string, handle: MessageHandler<T>, deliveries: Array<Delivery<T>>, dedupe: DedupeCheck = always): Promise<BatchResult> {
  const client = await infrastructure(pool.connect())
  let broken: Error | undefined
  let index = -1
  try {
    await infrastructure(client.query('BEGIN'))
    const fresh = await infrastructure(claimMessages(client, consumerName, deliveries.map((d) => d.envelope.id)))
    const processed: boolean[] = []
    for (index = 0; index < deliveries.length; index++) {
      const { envelope, ctx } = deliveries[index] as Delivery<T>
      // delete: the second copy of an id within the run is a duplicate too.
      const isNew = fresh.delete(envelope.id) || !dedupe(ctx.topic)
      processed.push(isNew)
      if (isNew) await handle(client, envelope, ctx)
      else ctx.log.debug('duplicate message skipped')
    }
    index = -1
    await infrastructure(client.query('COMMIT'))
    return { ok: true, processed }
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    if (err instanceof InfrastructureError || index < 0) throw err
    return { ok: false, index, error: err }
  } finally {
    client.release(broken)
  }
}

/** One message alone: BEGIN; inbox row (or skip a duplicate, unless `dedupe` says no); handler; COMMIT. True if applied, false if a duplicate. */
export async function applyOne<T> (pool: pg.Pool, consumerName: string, handle: MessageHandler<T>, { envelope, ctx }: Delivery<T>, dedupe: DedupeCheck = always): Promise<boolean> {
  const client = await infrastructure(pool.connect())
  let broken: Error | undefined
  try {
    await infrastructure(client.query('BEGIN'))
    if (!await infrastructure(claimMessage(client, consumerName, envelope.id)) && dedupe(ctx.topic)) {
      await infrastructure(client.query('ROLLBACK'))
      ctx.log.debug('duplicate message skipped')
      return false
    }
    await handle(client, envelope, ctx)
    await infrastructure(client.query('COMMIT'))
    return true
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e })
    throw err
  } finally {
    client.release(broken)
  }
}
