-- One row per consumed checkout event. The primary key is the event envelope's id: a redelivered
-- event can never make a second notification, whatever happens to the consumer's inbox.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  -- Arrival order: the feed's replay (Last-Event-ID) and the list's cursor walk it.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  type text NOT NULL,
  key text NOT NULL,
  order_id text NOT NULL,
  channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
  message text NOT NULL,
  payload jsonb NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- GET /notifications?orderId=…, newest first.
CREATE INDEX notifications_order_id_seq ON notifications (order_id, seq);
