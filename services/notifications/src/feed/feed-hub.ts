import type { StoredNotification } from '../db/notifications.js'

export type FeedListener = (notification: StoredNotification) => void

/**
 * In-process fan-out from the one LISTEN connection of this replica to its SSE clients. Listeners are
 * called synchronously; a listener only queues bytes on its socket, so one slow client cannot hold
 * up the others (the feed drops a client whose buffer grows too large).
 */
export class FeedHub {
  readonly #listeners = new Set<FeedListener>()

  subscribe (listener: FeedListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  publish (notification: StoredNotification): void {
    for (const listener of this.#listeners) listener(notification)
  }
}
