import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { getNotifications, notificationsAfter, type StoredNotification } from '../db/notifications.js'
import type { FeedHub } from './feed-hub.js'

const CATCH_UP_PAGE = 500

/** Feeds the hub from NOTIFY payloads (notification ids), and catches up by seq when NOTIFYs may have been missed. */
export interface NotifiedPublisher {
  /** One notified id: loaded and published, in one query with every id notified while the previous query ran. */
  notified: (id: string) => void
  /** Publishes every notification after the last seq seen, page by page (after the listener reconnected). */
  catchUp: () => Promise<void>
  /** Where catching up starts: the table's latest seq, read once LISTEN is in place. */
  startAfter: (seq: number) => void
}

export function createNotifiedPublisher (pool: pg.Pool, hub: FeedHub, log: FastifyBaseLogger): NotifiedPublisher {
  let lastSeq = 0
  const pending: string[] = []
  let pumping = false

  const publish = (rows: StoredNotification[]) => {
    for (const n of rows) {
      lastSeq = Math.max(lastSeq, n.seq)
      hub.publish(n)
    }
  }

  // One query for every id NOTIFYed while the previous query ran: under load, few queries.
  async function pump (): Promise<void> {
    if (pumping) return
    pumping = true
    try {
      while (pending.length > 0) {
        const ids = pending.splice(0)
        try {
          publish(await getNotifications(pool, ids))
        } catch (err) {
          log.warn({ err, missed: ids.length }, 'feed could not load notified notifications')
        }
      }
    } finally {
      pumping = false
    }
  }

  return {
    notified: (id) => { pending.push(id); pump().catch(() => {}) },
    catchUp: async () => {
      for (;;) {
        const page = await notificationsAfter(pool, lastSeq, CATCH_UP_PAGE)
        publish(page)
        if (page.length < CATCH_UP_PAGE) return
      }
    },
    startAfter: (seq) => { lastSeq = seq }
  }
}
