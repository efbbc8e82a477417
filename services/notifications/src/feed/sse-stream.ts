import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FeedHub } from './feed-hub.js'
import type { StoredNotification } from '../db/notifications.js'
import type { Notification } from '../schemas/notification.js'
import type { NotificationsMetrics } from '../metrics.js'

export interface FeedStreamOptions {
  hub: FeedHub
  /** Present when the client sent Last-Event-ID: what it missed, read page by page from the table. */
  replay?: { afterSeq: number, load: (afterSeq: number, limit: number) => Promise<StoredNotification[]> }
  keepAliveMs: number
  /** A client whose unsent bytes pass this is dropped; its EventSource reconnects with Last-Event-ID. */
  maxBufferedBytes: number
  metrics: Pick<NotificationsMetrics, 'sseClients' | 'sseDisconnects'>
  /** Open streams, so the app can end them when it closes (a stream never ends by itself). */
  open: Set<() => void>
}

const REPLAY_PAGE = 500
/** How long an EventSource waits before reconnecting. */
const RETRY_MS = 2000

/**
 * Server-Sent Events: `event: notification`, `id: <notification id>`, `data: <json>`. With
 * Last-Event-ID it first sends what came after that id, from the table, then live ones. Live ones that
 * arrive during the replay are held back and sent after it, skipping those the replay already sent,
 * so nothing is lost or doubled at the seam. A comment line every `keepAliveMs` keeps idle proxies
 * from closing the stream.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export async function streamFeed (request: FastifyRequest, reply: FastifyReply, opts: FeedStreamOptions): Promise<void> {
  const { hub, metrics } = opts
  const raw = reply.raw
  reply.hijack()
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx and friends would otherwise buffer the stream.
    'x-accel-buffering': 'no',
    'x-request-id': request.id
  })
  raw.write(`retry: ${RETRY_MS}\n: connected\n\n`)

  let held: StoredNotification[] | undefined = opts.replay === undefined ? undefined : []
  let closed = false
  const send = (n: StoredNotification) => {
    if (closed) return
    if (raw.writableLength > opts.maxBufferedBytes) { close('slow'); return }
    raw.write(formatEvent(n))
  }
  const unsubscribe = hub.subscribe((n) => { if (held !== undefined) held.push(n); else send(n) })
  const keepAlive = setInterval(() => { if (!closed) raw.write(': keep-alive\n\n') }, opts.keepAliveMs)
  const shutdown = () => { close('shutdown') }

  function close (reason: 'client' | 'slow' | 'shutdown' | 'error'): void {
    if (closed) return
    closed = true
    unsubscribe()
    clearInterval(keepAlive)
    opts.open.delete(shutdown)
    metrics.sseClients.dec()
    metrics.sseDisconnects.inc({ reason })
    request.log.info({ reason }, 'feed client disconnected')
    // A slow client's socket may never drain: cut it rather than wait to flush what it cannot take.
    if (reason === 'slow') raw.destroy()
    else if (!raw.writableEnded) raw.end()
  }

  opts.open.add(shutdown)
  metrics.sseClients.inc()
  raw.on('close', () => { close('client') })
  request.log.info({ replayAfterSeq: opts.replay?.afterSeq }, 'feed client connected')

  if (opts.replay === undefined) return
  try {
    const replayed = new Set<string>()
    let afterSeq = opts.replay.afterSeq
    for (;;) {
      const page = await opts.replay.load(afterSeq, REPLAY_PAGE)
      for (const n of page) { send(n); replayed.add(n.id) }
      const last = page.at(-1)
      if (closed || last === undefined || page.length < REPLAY_PAGE) break
      afterSeq = last.seq
    }
    const live = held ?? []
    held = undefined
    for (const n of live) if (!replayed.has(n.id)) send(n)
  } catch (err) {
    request.log.warn({ err }, 'feed replay failed')
    close('error')
  }
}

export function toApiNotification ({ seq: _seq, ...notification }: StoredNotification): Notification {
  return notification
}

/** One SSE event. JSON.stringify never emits a raw newline, so `data` is one line. */
export function formatEvent (n: StoredNotification): string {
  return `event: notification\nid: ${n.id}\ndata: ${JSON.stringify(toApiNotification(n))}\n\n`
}
