-- Outgoing webhooks to providers' servers. Events are written to an outbox in the same
-- transaction as the change they report; a dispatcher delivers them afterwards, so a slow or
-- broken receiver never holds up a request, and nothing is lost across a restart.

CREATE TABLE webhook_endpoints (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  mode            TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  url             TEXT NOT NULL,
  description     TEXT,
  -- The HMAC key itself: signing needs it, so unlike API keys it cannot be kept as a hash.
  -- It leaves the server once, in the answer that creates the endpoint.
  secret          TEXT NOT NULL,
  event_types     TEXT NOT NULL,
  created_by      TEXT NOT NULL REFERENCES users (id),
  created_at      TEXT NOT NULL,
  disabled_at     TEXT
) STRICT;
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (organisation_id, mode);

-- The outbox: one row per event, `payload` exactly the body every endpoint receives.
CREATE TABLE provider_events (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  mode            TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  type            TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_at      TEXT NOT NULL
) STRICT;

-- One per event and subscribed endpoint. `next_attempt_at` is when the dispatcher may try next;
-- a claim pushes it forward, so a delivery interrupted by a crash is tried again after a restart.
CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  organisation_id  TEXT NOT NULL REFERENCES organisations (id),
  endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
  event_id         TEXT NOT NULL REFERENCES provider_events (id),
  status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  TEXT,
  last_attempt_at  TEXT,
  last_status_code INTEGER,
  last_error       TEXT,
  created_at       TEXT NOT NULL,
  completed_at     TEXT,
  UNIQUE (event_id, endpoint_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

-- Every try and what the receiver said. Append-only.
CREATE TABLE webhook_delivery_attempts (
  id           INTEGER PRIMARY KEY,
  delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
  attempted_at TEXT NOT NULL,
  status_code  INTEGER,
  error        TEXT,
  duration_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, id);
CREATE TRIGGER webhook_delivery_attempts_no_update BEFORE UPDATE ON webhook_delivery_attempts
BEGIN SELECT RAISE(ABORT, 'webhook delivery attempts are append-only'); END;
CREATE TRIGGER webhook_delivery_attempts_no_delete BEFORE DELETE ON webhook_delivery_attempts
BEGIN SELECT RAISE(ABORT, 'webhook delivery attempts are append-only'); END;
