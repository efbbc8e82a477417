import type pg from 'pg'
import type { Envelope, MessageContext, MessageHandler } from '@lab/messaging'
import type { TopicNames } from '../topics.js'
import type { FaultSwitch } from '../faults.js'
import type { NotificationsMetrics } from '../metrics.js'
import { describeEvent } from './describe-event.js'
import { insertNotification } from '../db/notifications.js'
import { EventTypeMismatchError, PoisonKeyError } from '../errors.js'

export interface EventHandlerOptions {
  topics: TopicNames
  faults: FaultSwitch
  metrics: Pick<NotificationsMetrics, 'notifications'>
}

/** The consumer's handlers: every checkout topic gets the same one, which tells the events apart by topic. */
export function eventHandlers (opts: EventHandlerOptions): Record<string, MessageHandler> {
  const notifyOfEvent = createEventHandler(opts)
  return Object.fromEntries(opts.topics.topics.map((topic) => [topic, notifyOfEvent]))
}

/**
 * One notification per event, written in the consumer's transaction (the inbox row of @lab/messaging
 * commits with it, or neither does). Throwing fails the message: the consumer rolls back, retries,
 * and after its last attempt parks the message in `<topic>.dlq.v1` with our error as `x-error`.
 */
export function createEventHandler ({ topics, faults, metrics }: EventHandlerOptions) {
  return async function notifyOfEvent (client: pg.PoolClient, envelope: Envelope, ctx: MessageContext): Promise<void> {
    try {
      await notify(client, envelope, ctx)
    } catch (err) {
      // The consumer records `${name}: ${message}` as the dead letter's x-error; @fastify/error names
      // every error "FastifyError", so put our code there instead: "NOTIFICATIONS_POISON_KEY: …".
      const code = (err as { code?: unknown } | undefined)?.code
      if (err instanceof Error && typeof code === 'string' && code.startsWith('NOTIFICATIONS_')) err.name = code
      throw err
    }
  }

  async function notify (client: pg.PoolClient, envelope: Envelope, ctx: MessageContext): Promise<void> {
    const type = topics.typeOf(ctx.topic)
    // The topic says what the event is; an envelope claiming otherwise is one we do not understand.
    if (type === undefined || (envelope.type !== type && envelope.type !== ctx.topic)) throw new EventTypeMismatchError(envelope.type, ctx.topic)
    const { poisonKey } = faults.current()
    if (poisonKey !== undefined && envelope.key === poisonKey) throw new PoisonKeyError(poisonKey)

    const { orderId, message } = describeEvent(type, envelope.data)
    const created = await insertNotification(client, {
      id: envelope.id,
      type,
      key: envelope.key,
      orderId,
      message,
      payload: envelope.data,
      requestId: ctx.requestId
    })
    // Counted before the commit: a commit that then fails (rare) over-counts by one on the retry.
    if (created === undefined) return
    metrics.notifications.inc({ type })
    ctx.log.info({ notificationId: created.id, orderId, type }, 'notification created')
  }
}
