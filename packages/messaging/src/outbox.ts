import type pg from 'pg'
import type { Envelope } from './envelope.js'

/** Channel the relay LISTENs on, so an enqueue wakes it at commit instead of at the next poll. */
export const OUTBOX_CHANNEL = 'lab_outbox'

/**
 * The transactional outbox: an event is a row written in the same transaction as the state change it
 * describes, so both commit or neither does (no dual write). `id` (bigserial) is the publish order.
 * The partial index keeps "what is left to send" cheap however many sent rows accumulate.
 * @see https://microservices.io/patterns/data/transactional-outbox.html
 */
export const OUTBOX_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  key text NOT NULL,
  envelope jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
`

export interface OutboxMessage {
  topic: string
  envelope: Envelope
  /** The HTTP request that caused the event; consumers log with it as `reqId`. */
  requestId?: string
}

/**
 * Add an event to the outbox inside the caller's open transaction. The NOTIFY is transactional too:
 * Postgres delivers it only if (and when) the transaction commits.
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
export async function enqueueOutbox (client: pg.PoolClient | pg.ClientBase, { topic, envelope, requestId }: OutboxMessage): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (requestId !== undefined) headers['x-request-id'] = requestId
  // Named: prepared once per connection (inbox.ts says why).
  await client.query({
    name: 'messaging.enqueue-outbox',
    text: `WITH inserted AS (
             INSERT INTO outbox (topic, key, envelope, headers) VALUES ($1, $2, $3, $4) RETURNING id
           )
           SELECT pg_notify($5, '') FROM inserted`,
    values: [topic, envelope.key, JSON.stringify(envelope), JSON.stringify(headers), OUTBOX_CHANNEL]
  })
}

/** Delete rows published more than `olderThanMs` ago (housekeeping; the relay never needs them again). */
export async function purgeSentOutbox (pool: pg.Pool, olderThanMs = 7 * 24 * 3600_000): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1)',
    [olderThanMs / 1000]
  )
  return rowCount ?? 0
}
