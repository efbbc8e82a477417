-- A card charge whose provider call went unanswered (timeout, connection broken after sending): the
-- provider may hold the charge, so the payment stays pending and the reconciler asks the provider
-- (GET /charges/:chargeId). Null when the provider answered. Kept after settling, for the record.
ALTER TABLE payments ADD COLUMN outcome_unknown text;

-- The reconciler's scan: card payments still pending, oldest first.
CREATE INDEX payments_pending_card_idx ON payments (updated_at) WHERE status = 'pending' AND method = 'card';
