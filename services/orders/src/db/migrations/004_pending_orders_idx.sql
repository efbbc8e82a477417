-- The payment-timeout sweep (saga/payment-timeout.ts) looks for old pending orders every few seconds:
-- a partial index keeps that cheap however many confirmed and cancelled orders pile up.
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';
