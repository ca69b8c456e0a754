-- Custom storefronts: provider API keys, payment links, and what a checkout session needs to
-- remember about where it came from and what discount it got.

-- A provider's server authenticates with a secret key; only its SHA-256 is kept.
CREATE TABLE api_keys (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  mode            TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  name            TEXT NOT NULL,
  -- The first characters of the secret, so that people can tell their keys apart.
  key_prefix      TEXT NOT NULL,
  key_hash        TEXT NOT NULL UNIQUE,
  -- JSON array of origins (`https://shop.example.com`) that success and cancel URLs may use.
  allowed_origins TEXT NOT NULL,
  created_by      TEXT NOT NULL REFERENCES users (id),
  created_at      TEXT NOT NULL,
  last_used_at    TEXT,
  revoked_at      TEXT,
  revoked_by      TEXT REFERENCES users (id)
) STRICT;
CREATE INDEX api_keys_org_created ON api_keys (organisation_id, created_at);

-- A shareable link for a fixed basket. It is used up once `max_uses` checkouts from it were
-- fulfilled; those are counted from checkout_sessions, so no counter can drift.
CREATE TABLE payment_links (
  id                    TEXT PRIMARY KEY,
  organisation_id       TEXT NOT NULL REFERENCES organisations (id),
  instance_id           TEXT NOT NULL REFERENCES marketplace_instances (id),
  mode                  TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  token                 TEXT NOT NULL UNIQUE,
  item_ids              TEXT NOT NULL,
  device_ids            TEXT NOT NULL,
  allow_promotion_codes INTEGER NOT NULL CHECK (allow_promotion_codes IN (0, 1)),
  max_uses              INTEGER NOT NULL CHECK (max_uses >= 1),
  expires_at            TEXT NOT NULL,
  created_by            TEXT NOT NULL REFERENCES users (id),
  created_at            TEXT NOT NULL,
  deactivated_at        TEXT
) STRICT;
CREATE INDEX payment_links_org_created ON payment_links (organisation_id, created_at);

-- Where a session came from (the dashboard when both are null), whether the payment page takes
-- promotion codes, and the discount Stripe granted. amount_total is what was charged.
ALTER TABLE checkout_sessions ADD COLUMN api_key_id TEXT REFERENCES api_keys (id);
ALTER TABLE checkout_sessions ADD COLUMN payment_link_id TEXT REFERENCES payment_links (id);
ALTER TABLE checkout_sessions ADD COLUMN allow_promotion_codes INTEGER NOT NULL DEFAULT 0
  CHECK (allow_promotion_codes IN (0, 1));
ALTER TABLE checkout_sessions ADD COLUMN amount_discount INTEGER NOT NULL DEFAULT 0
  CHECK (amount_discount >= 0);
ALTER TABLE checkout_sessions ADD COLUMN stripe_promotion_code_id TEXT;
CREATE INDEX checkout_sessions_payment_link ON checkout_sessions (payment_link_id)
  WHERE payment_link_id IS NOT NULL;

-- The share of the session's discount given to this purchase; `amount` is what was paid for it,
-- so a refund can never return more than that.
ALTER TABLE purchases ADD COLUMN amount_discount INTEGER NOT NULL DEFAULT 0 CHECK (amount_discount >= 0);
