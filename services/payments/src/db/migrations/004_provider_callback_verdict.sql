-- A callback is no longer applied on its signature alone (the signing secret can leak; the charge id is
-- derived from the order id): it is applied only once the provider confirms it (GET /charges/:chargeId).
-- 'confirmed': the provider's own answer, applied; 'unverified': the provider could not be asked when it
-- came, nothing applied, the reconciler settles the payment by asking. A callback the provider
-- contradicts is not stored at all, so a forged one cannot take the row of the genuine one.
ALTER TABLE provider_callbacks ADD COLUMN verdict text NOT NULL DEFAULT 'unverified'
  CHECK (verdict IN ('confirmed', 'unverified'));
