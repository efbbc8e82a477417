import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { NotificationsConfig } from '../config.js'
import type { NotificationsMetrics } from '../metrics.js'
import { FeedHub } from '../feed/feed-hub.js'
import { startPgListener } from '../feed/pg-listener.js'
import { streamFeed } from '../feed/sse-stream.js'
import { createNotifiedPublisher } from '../feed/notified-publisher.js'
import { NOTIFY_CHANNEL, latestSeq, notificationsAfter } from '../db/notifications.js'

declare module 'fastify' {
  interface FastifyInstance {
    feed: {
      /** Streams the feed on this request; `afterSeq` (from Last-Event-ID) replays what came after it first. */
      stream: (request: FastifyRequest, reply: FastifyReply, afterSeq?: number) => Promise<void>
    }
  }
}

const MAX_BUFFERED_BYTES = 1024 * 1024

/**
 * The live feed's source. Every committed notification is NOTIFYed (in the inserting transaction);
 * each replica LISTENs on one dedicated connection, fetches the notified rows and fans them out to its
 * SSE clients. So every replica streams every notification, whichever replica's consumer wrote it
 * (Kafka splits the partitions of the consumer group between replicas; an in-process emitter fed by
 * the consumer would only stream this replica's share).
 *
 * Limits: NOTIFY is delivered at most once to a live connection; after the listener reconnects we
 * catch up by arrival order (seq), which can miss a notification whose transaction took its seq
 * before, but committed after, the last one we had seen. A client that reconnects with Last-Event-ID
 * has the same seam. Both are acceptable for a notification feed; exact delivery would need a
 * per-client cursor over a commit-ordered log (e.g. Kafka itself).
 */
export const feedPlugin = fp<{ config: NotificationsConfig, metrics: NotificationsMetrics }>(async (app, { config, metrics }) => {
  const hub = new FeedHub()
  const open = new Set<() => void>()
  const publisher = createNotifiedPublisher(app.pg, hub, app.log)
  const listener = await startPgListener({
    connectionString: config.DATABASE_URL,
    applicationName: `${config.INSTANCE_ID}-feed`,
    channel: NOTIFY_CHANNEL,
    log: app.log,
    onPayload: publisher.notified,
    onReconnected: () => { publisher.catchUp().catch((err: unknown) => { app.log.warn({ err }, 'feed catch-up failed') }) }
  })
  // Read after LISTEN: anything committed from here on is either notified or after this seq.
  publisher.startAfter(await latestSeq(app.pg))

  app.decorate('feed', {
    stream: async (request, reply, afterSeq) => {
      await streamFeed(request, reply, {
        hub,
        replay: afterSeq === undefined ? undefined : { afterSeq, load: async (after, limit) => await notificationsAfter(app.pg, after, limit) },
        keepAliveMs: config.SSE_KEEPALIVE_MS,
        maxBufferedBytes: MAX_BUFFERED_BYTES,
        metrics,
        open
      })
    }
  })
  // Streams never end by themselves: end them first, or closing the server would wait for them.
  app.addHook('preClose', async () => { for (const close of [...open]) close() })
  app.addHook('onClose', async () => { await listener.stop() })
}, { name: 'notifications-feed', dependencies: ['lab-postgres'] })
