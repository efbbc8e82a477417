-- An order and its place in the checkout saga (see src/saga/order-saga.ts for the states).
-- The id is derived from the Idempotency-Key of the POST that placed it, and is also the
-- reservation's id at inventory (reservation_id = id, kept as its own column for clarity).
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id text NOT NULL,
  product_id integer NOT NULL CHECK (product_id >= 1),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  payment_method text NOT NULL CHECK (payment_method IN ('wallet', 'card')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'cancelled')),
  cancel_reason text,
  reservation_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Bumped by every transition: lets a client (or a test) see that a duplicate event changed nothing.
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT orders_cancel_reason_iff_cancelled CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);

CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
