-- A delayed payment that failed. Stripe leaves such a session `complete` and `unpaid`, the same
-- as one whose payment is still on its way, so without this a failure that arrives before the
-- completion reads "pending" for ever. A new column rather than a new status: no CHECK changes,
-- so no table rebuild under the tables that reference this one.
ALTER TABLE checkout_sessions ADD COLUMN payment_failed_at TEXT;

-- Sessions whose failure was already logged keep it.
UPDATE checkout_sessions SET payment_failed_at = (
  SELECT min(a.created_at) FROM checkout_attempts a
  WHERE a.checkout_session_id = checkout_sessions.id AND a.kind = 'payment_failed'
)
WHERE fulfilled_at IS NULL
  AND EXISTS (SELECT 1 FROM checkout_attempts a
              WHERE a.checkout_session_id = checkout_sessions.id AND a.kind = 'payment_failed');
