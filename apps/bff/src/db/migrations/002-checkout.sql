-- Checkout: our sessions around Stripe's, their append-only attempts log, and what
-- fulfillment creates: purchases and per-device entitlements. Webhook events are the dedupe key.

CREATE TABLE checkout_sessions (
  id                TEXT PRIMARY KEY,
  organisation_id   TEXT NOT NULL REFERENCES organisations (id),
  instance_id       TEXT NOT NULL REFERENCES marketplace_instances (id),
  mode              TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  status            TEXT NOT NULL CHECK (status IN ('open', 'complete', 'expired', 'cancelled')),
  payment_status    TEXT NOT NULL CHECK (payment_status IN ('unpaid', 'paid', 'no_payment_required')),
  currency          TEXT NOT NULL,
  amount_subtotal   INTEGER NOT NULL CHECK (amount_subtotal >= 0),
  platform_fee      INTEGER NOT NULL CHECK (platform_fee >= 0),
  amount_total      INTEGER NOT NULL CHECK (amount_total >= 0),
  success_url       TEXT NOT NULL,
  cancel_url        TEXT NOT NULL,
  expires_at        TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL,
  request_hash      TEXT NOT NULL,
  stripe_session_id TEXT UNIQUE,
  stripe_payment_intent_id TEXT,
  checkout_url      TEXT,
  created_by        TEXT NOT NULL REFERENCES users (id),
  created_at        TEXT NOT NULL,
  fulfilled_at      TEXT,
  UNIQUE (organisation_id, idempotency_key)
) STRICT;
CREATE INDEX checkout_sessions_org_created ON checkout_sessions (organisation_id, created_at);
CREATE INDEX checkout_sessions_payment_intent ON checkout_sessions (stripe_payment_intent_id);

CREATE TABLE checkout_session_lines (
  checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions (id),
  item_id             TEXT NOT NULL REFERENCES marketplace_items (id),
  device_id           TEXT NOT NULL REFERENCES devices (id),
  unit_amount         INTEGER NOT NULL CHECK (unit_amount >= 0),
  PRIMARY KEY (checkout_session_id, item_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkout_attempts (
  id                  INTEGER PRIMARY KEY,
  checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions (id),
  kind                TEXT NOT NULL CHECK (kind IN ('created', 'payment_failed', 'payment_pending', 'paid',
                                                    'fulfilled', 'expired', 'cancelled', 'refunded')),
  detail              TEXT,
  stripe_event_id     TEXT,
  created_at          TEXT NOT NULL
) STRICT;
CREATE INDEX checkout_attempts_session ON checkout_attempts (checkout_session_id, id);

-- The log is append-only: no update or delete ever succeeds.
CREATE TRIGGER checkout_attempts_no_update BEFORE UPDATE ON checkout_attempts
BEGIN SELECT RAISE(ABORT, 'checkout attempts are append-only'); END;
CREATE TRIGGER checkout_attempts_no_delete BEFORE DELETE ON checkout_attempts
BEGIN SELECT RAISE(ABORT, 'checkout attempts are append-only'); END;

CREATE TABLE purchases (
  id                  TEXT PRIMARY KEY,
  organisation_id     TEXT NOT NULL REFERENCES organisations (id),
  checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions (id),
  device_id           TEXT NOT NULL REFERENCES devices (id),
  item_id             TEXT NOT NULL REFERENCES marketplace_items (id),
  mode                TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  amount              INTEGER NOT NULL CHECK (amount >= 0),
  currency            TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('active', 'refunded')),
  created_at          TEXT NOT NULL,
  refunded_at         TEXT,
  UNIQUE (checkout_session_id, device_id, item_id)
) STRICT;
CREATE INDEX purchases_org_created ON purchases (organisation_id, created_at, id);
CREATE INDEX purchases_org_device ON purchases (organisation_id, device_id, created_at, id);
CREATE INDEX purchases_org_item ON purchases (organisation_id, item_id, created_at, id);

CREATE TABLE entitlements (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  device_id       TEXT NOT NULL REFERENCES devices (id),
  item_id         TEXT NOT NULL REFERENCES marketplace_items (id),
  mode            TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  purchase_id     TEXT NOT NULL UNIQUE REFERENCES purchases (id),
  status          TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  created_at      TEXT NOT NULL,
  revoked_at      TEXT
) STRICT;
CREATE UNIQUE INDEX entitlements_one_active ON entitlements (device_id, item_id, mode) WHERE status = 'active';

CREATE TABLE refunds (
  id               TEXT PRIMARY KEY,
  organisation_id  TEXT NOT NULL REFERENCES organisations (id),
  purchase_id      TEXT NOT NULL UNIQUE REFERENCES purchases (id),
  amount           INTEGER NOT NULL CHECK (amount >= 0),
  status           TEXT NOT NULL CHECK (status IN ('requested', 'succeeded', 'failed')),
  stripe_refund_id TEXT,
  requested_by     TEXT REFERENCES users (id),
  created_at       TEXT NOT NULL,
  completed_at     TEXT
) STRICT;

CREATE TABLE webhook_events (
  id           TEXT PRIMARY KEY,
  mode         TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  type         TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  processed_at TEXT,
  outcome      TEXT NOT NULL,
  error        TEXT
) STRICT;
