-- What Stripe last reported as refunded on a session's charge (cumulative, minor units).
-- Refunds are settled against it, so one event can only settle what Stripe really returned.
ALTER TABLE checkout_sessions ADD COLUMN amount_refunded INTEGER NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0);
