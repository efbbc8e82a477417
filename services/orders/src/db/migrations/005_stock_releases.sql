-- Releases of reserved stock that orders owes inventory: "record, then act" (src/saga/stock-release.ts).
-- A row is written in the transaction that decides the release (an order cancelled by a failed payment
-- or by the payment timeout; an order that could not be stored after its reservation), so the release
-- is owed exactly when that decision committed, and no HTTP call to inventory runs inside a transaction.
-- After the commit the release is attempted at inventory; the row is deleted once inventory confirmed,
-- and until then the sweep retries it at `due_at`. The id is inventory's reservation id, which is the
-- order's id (001_orders.sql).
CREATE TABLE stock_releases (
  reservation_id uuid PRIMARY KEY,
  -- Why the stock goes back, for the logs: the order's cancel reason, or 'order not stored'.
  reason text NOT NULL,
  -- The request id of the purchase, sent with the release so one id still follows it to inventory.
  request_id text NOT NULL,
  -- Attempts claimed so far; the wait before the next one grows with it.
  attempts integer NOT NULL DEFAULT 0,
  -- When the sweep may try (again): now() when recorded; a claim pushes it past the attempt (a lease).
  due_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stock_releases_due_idx ON stock_releases (due_at);
