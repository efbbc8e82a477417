-- Stock per product and the reservations taken against it. Invariant (every strategy but the naive one
-- keeps it): reserved = sum(quantity) of the item's reservations in status 'reserved'; the units that
-- exist are available + reserved, and nothing is promised beyond them.

CREATE TABLE items (
  product_id integer PRIMARY KEY,
  -- The flash-sale price, owned here (not read from the catalog), fixed into each reservation.
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  -- The constraints are the last line of defence, and deliberately not the demonstration: the naive
  -- strategy writes values computed from a stale read (never negative), so it oversells through lost
  -- updates without ever tripping them (see src/stock/naive.ts).
  available integer NOT NULL CHECK (available >= 0),
  reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  -- Bumped by every write: the optimistic strategy's conditional UPDATE matches the version it read.
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
  -- Chosen by the caller (orders): the idempotency key of POST /reservations.
  id uuid PRIMARY KEY,
  product_id integer NOT NULL REFERENCES items (product_id),
  quantity integer NOT NULL CHECK (quantity > 0),
  status text NOT NULL CHECK (status IN ('reserved', 'released')),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The oversell check sums active reservations per product: an index-only scan of this partial index.
CREATE INDEX reservations_active_idx ON reservations (product_id) INCLUDE (quantity) WHERE status = 'reserved';
