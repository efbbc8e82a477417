-- A card charge is no longer made inside the consumer's transaction: the consumer only records that it
-- is due (charge_due_at, with a NOTIFY), and the charge worker (payments/charge-worker.ts) makes it
-- outside any transaction. Null when no charge is due (wallet payments; a charge made or given up).
ALTER TABLE payments ADD COLUMN charge_due_at timestamptz;
-- The worker's claim on a due charge: a random token per claim and its lease. A claim whose lease has
-- expired (its worker crashed or hung) can be taken by another worker; the settlement is applied only
-- by the holder of the current token, so a stale worker writes nothing.
ALTER TABLE payments ADD COLUMN charge_claim uuid;
ALTER TABLE payments ADD COLUMN charge_lease_until timestamptz;
-- Claims made on this charge: 1 normally, more when a lease expired and the charge was claimed again.
ALTER TABLE payments ADD COLUMN charge_claims integer NOT NULL DEFAULT 0;

-- The worker's queue: due charges of pending payments, oldest first. A payment settled meanwhile (by a
-- callback or the reconciler) leaves the index whatever its charge columns say.
CREATE INDEX payments_charge_due_idx ON payments (charge_due_at) WHERE charge_due_at IS NOT NULL AND status = 'pending';
