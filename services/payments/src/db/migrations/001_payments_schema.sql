-- Wallets and their double-entry ledger. A balance is a cache of its ledger: every money movement
-- updates two balances and writes two entries (one debit, one credit, same transfer_id, summing to 0)
-- in one transaction, so sum(ledger_entries.amount_cents) per wallet always equals its balance.
CREATE TABLE wallets (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  -- No wallet goes below zero, the system wallet `merchant` included: overdraft is refused, not repaired.
  balance_cents bigint NOT NULL CHECK (balance_cents >= 0),
  -- Optimistic locking: every balance change is `... WHERE id = $1 AND version = $2`, then version + 1.
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The system wallet that card-less (wallet) charges pay into and refunds come out of.
INSERT INTO wallets (id, balance_cents) VALUES ('merchant', 0);

CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  transfer_id uuid NOT NULL,
  wallet_id text NOT NULL REFERENCES wallets (id),
  -- Signed: a debit is negative, a credit positive.
  amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
  -- 'seed' is a wallet's opening balance (money created once, at the wallet's creation): the one kind
  -- with a single entry. Every other transfer_id has entries summing to zero.
  kind text NOT NULL CHECK (kind IN ('seed', 'transfer', 'charge', 'refund')),
  reference text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_wallet_idx ON ledger_entries (wallet_id, id);
CREATE INDEX ledger_entries_transfer_idx ON ledger_entries (transfer_id);

CREATE TABLE payments (
  -- Derived from the order id (UUID v5), so a redelivered order event names the same payment and the
  -- provider sees the same charge id.
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL UNIQUE,
  customer_id text NOT NULL,
  method text NOT NULL CHECK (method IN ('wallet', 'card')),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
  reason text,
  -- Provider calls made for a card payment (retries included); 0 for wallet payments.
  attempts integer NOT NULL DEFAULT 0,
  -- The request that placed the order, carried into the events this payment emits later (callbacks).
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every verified provider callback, once per charge: a callback that arrives before its payment row is
-- committed (or for a payment whose first attempt crashed) is applied when the payment is written.
CREATE TABLE provider_callbacks (
  charge_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
  reason text,
  received_at timestamptz NOT NULL DEFAULT now()
);
