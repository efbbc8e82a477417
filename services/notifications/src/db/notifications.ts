import type pg from 'pg'
import type { Notification } from '../schemas/notification.js'

/** The LISTEN/NOTIFY channel: its payload is the id of a notification just committed. */
export const NOTIFY_CHANNEL = 'notifications'

/** A notification with its arrival position, which the feed and the cursors use but the API hides. */
export interface StoredNotification extends Notification {
  seq: number
}

export interface NewNotification {
  id: string
  type: string
  key: string
  /** null for an alert (about the lab, not an order). */
  orderId: string | null
  /** 'email' (a customer's, the default) or 'ops' (an alert for whoever runs the lab). */
  channel?: Notification['channel']
  message: string
  payload: unknown
  requestId: string | undefined
}

type Queryable = Pick<pg.ClientBase, 'query'>

/** seq is a bigint (a string from pg); it stays below 2^53, so float8 gives an exact number. */
const COLUMNS = `id, seq::float8 AS seq, type, key, order_id AS "orderId", channel, message, payload,
  request_id AS "requestId", created_at AS "createdAt"`

interface Row extends Omit<StoredNotification, 'createdAt'> { createdAt: Date }

function toNotification (row: Row): StoredNotification {
  return { ...row, createdAt: row.createdAt.toISOString() }
}

/**
 * Inserts the notification and, in the same transaction, NOTIFYs its id: Postgres delivers the
 * notification to every listener only if and when the transaction commits, so the feed never shows a
 * notification that was rolled back, and every replica's feed sees every committed one.
 * Answers undefined when a notification with this id exists already (nothing is notified then).
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
export async function insertNotification (client: Queryable, n: NewNotification): Promise<StoredNotification | undefined> {
  const { rows } = await client.query<Row>(`
    INSERT INTO notifications (id, type, key, order_id, channel, message, payload, request_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (id) DO NOTHING
    RETURNING ${COLUMNS}`,
  [n.id, n.type, n.key, n.orderId, n.channel ?? 'email', n.message, JSON.stringify(n.payload), n.requestId ?? null])
  const row = rows[0]
  if (row === undefined) return undefined
  await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, row.id])
  return toNotification(row)
}

export async function getNotification (db: Queryable, id: string): Promise<StoredNotification | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM notifications WHERE id = $1`, [id])
  return rows[0] === undefined ? undefined : toNotification(rows[0])
}

/** The given ids that exist, in arrival order (the feed's listener fetches what was NOTIFYed). */
export async function getNotifications (db: Queryable, ids: string[]): Promise<StoredNotification[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM notifications WHERE id = ANY($1::uuid[]) ORDER BY seq`, [ids])
  return rows.map(toNotification)
}

/** One page, newest first, `limit + 1` rows so the caller knows whether another page follows. */
export async function listNotifications (db: Queryable, page: { beforeSeq?: number, orderId?: string, limit: number }): Promise<StoredNotification[]> {
  const { rows } = await db.query<Row>(`
    SELECT ${COLUMNS} FROM notifications
    WHERE ($1::bigint IS NULL OR seq < $1) AND ($2::text IS NULL OR order_id = $2)
    ORDER BY seq DESC LIMIT $3`,
  [page.beforeSeq ?? null, page.orderId ?? null, page.limit + 1])
  return rows.map(toNotification)
}

/** Up to `limit` notifications that arrived after `afterSeq`, oldest first: the feed's replay. */
export async function notificationsAfter (db: Queryable, afterSeq: number, limit: number): Promise<StoredNotification[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM notifications WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit])
  return rows.map(toNotification)
}

/** The highest seq so far (0 when empty): where the feed's catch-up starts. */
export async function latestSeq (db: Queryable): Promise<number> {
  const { rows } = await db.query<{ seq: number }>('SELECT coalesce(max(seq), 0)::float8 AS seq FROM notifications')
  return rows[0]?.seq ?? 0
}
