import type { ServerResponse } from 'node:http'
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
  const raw = openEventStream(request, reply)
  const client = connectFeedClient(request, raw, opts)
  request.log.info({ replayAfterSeq: opts.replay?.afterSeq }, 'feed client connected')
  if (opts.replay === undefined) return
  try {
    await replayThenGoLive(client, opts.replay)
  } catch (err) {
    request.log.warn({ err }, 'feed replay failed')
    client.close('error')
  }
}

/** Takes the response over from Fastify and starts the event stream: headers, the retry delay, a first comment. */
function openEventStream (request: FastifyRequest, reply: FastifyReply): ServerResponse {
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
  return raw
}

type CloseReason = 'client' | 'slow' | 'shutdown' | 'error'

/** One connected client: live notifications sent (held back while a replay runs), kept alive, counted, closed once. */
interface FeedClient {
  send: (n: StoredNotification) => void
  close: (reason: CloseReason) => void
  isClosed: () => boolean
  /** Stops holding live notifications back; those held so far, for the replay to send after its own. */
  goLive: () => StoredNotification[]
}

function connectFeedClient (request: FastifyRequest, raw: ServerResponse, opts: FeedStreamOptions): FeedClient {
  const { hub, metrics } = opts
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

  function close (reason: CloseReason): void {
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
  const goLive = () => {
    const live = held ?? []
    held = undefined
    return live
  }
  return { send, close, isClosed: () => closed, goLive }
}

/** What the client missed, page by page from the table; then the live ones held meanwhile, less those the replay sent. */
async function replayThenGoLive (client: FeedClient, replay: NonNullable<FeedStreamOptions['replay']>): Promise<void> {
  const replayed = new Set<string>()
  let afterSeq = replay.afterSeq
  for (;;) {
    const page = await replay.load(afterSeq, REPLAY_PAGE)
    for (const n of page) { client.send(n); replayed.add(n.id) }
    const last = page.at(-1)
    if (client.isClosed() || last === undefined || page.length < REPLAY_PAGE) break
    afterSeq = last.seq
  }
  for (const n of client.goLive()) if (!replayed.has(n.id)) client.send(n)
}

export function toApiNotification ({ seq: _seq, ...notification }: StoredNotification): Notification {
  return notification
}

/** One SSE event. JSON.stringify never emits a raw newline, so `data` is one line. */
export function formatEvent (n: StoredNotification): string {
  return `event: notification\nid: ${n.id}\ndata: ${JSON.stringify(toApiNotification(n))}\n\n`
}
