import type pg from 'pg'
import type { MessagingLogger } from './logger.js'
import type { Envelope } from './envelope.js'

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
