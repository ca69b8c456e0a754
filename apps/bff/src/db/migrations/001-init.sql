-- Core domain: marketplaces, organisations, people, products, devices, releases.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE marketplace_instances (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  currency         TEXT NOT NULL CHECK (length(currency) = 3),
  platform_fee_bps INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  created_at       TEXT NOT NULL
) STRICT;

CREATE TABLE organisations (
  id                         TEXT PRIMARY KEY,
  slug                       TEXT NOT NULL UNIQUE,
  name                       TEXT NOT NULL,
  stripe_connected_account   TEXT,
  created_at                 TEXT NOT NULL
) STRICT;

CREATE TABLE organisation_instances (
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  instance_id     TEXT NOT NULL REFERENCES marketplace_instances (id),
  PRIMARY KEY (organisation_id, instance_id)
) STRICT;

CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash   TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'support', 'operator')),
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE marketplace_items (
  id              TEXT PRIMARY KEY,
  instance_id     TEXT NOT NULL REFERENCES marketplace_instances (id),
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  name            TEXT NOT NULL,
  description     TEXT NOT NULL,
  price_amount    INTEGER NOT NULL CHECK (price_amount >= 0),
  currency        TEXT NOT NULL CHECK (length(currency) = 3),
  listed          INTEGER NOT NULL CHECK (listed IN (0, 1)),
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX marketplace_items_org_instance ON marketplace_items (organisation_id, instance_id, name);

CREATE TABLE item_compatible_models (
  item_id TEXT NOT NULL REFERENCES marketplace_items (id),
  model   TEXT NOT NULL,
  PRIMARY KEY (item_id, model)
) STRICT;

CREATE TABLE devices (
  id                TEXT PRIMARY KEY,
  organisation_id   TEXT NOT NULL REFERENCES organisations (id),
  name              TEXT NOT NULL,
  model             TEXT NOT NULL,
  firmware_version  TEXT NOT NULL,
  token_hash        TEXT NOT NULL UNIQUE,
  last_seen_at      TEXT,
  created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX devices_org_id ON devices (organisation_id, id);
CREATE INDEX devices_org_model ON devices (organisation_id, model, id);
CREATE INDEX devices_org_name ON devices (organisation_id, name COLLATE NOCASE);

CREATE TABLE device_tags (
  device_id TEXT NOT NULL REFERENCES devices (id),
  tag       TEXT NOT NULL,
  PRIMARY KEY (device_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_tags_tag ON device_tags (tag, device_id);

CREATE TABLE releases (
  id            TEXT PRIMARY KEY,
  item_id       TEXT NOT NULL REFERENCES marketplace_items (id),
  version       TEXT NOT NULL,
  min_firmware  TEXT NOT NULL,
  published_at  TEXT NOT NULL,
  UNIQUE (item_id, version)
) STRICT;

CREATE TABLE release_compatible_models (
  release_id TEXT NOT NULL REFERENCES releases (id),
  model      TEXT NOT NULL,
  PRIMARY KEY (release_id, model)
) STRICT;

CREATE TABLE http_sessions (
  sid        TEXT PRIMARY KEY,
  data       TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX http_sessions_expiry ON http_sessions (expires_at);

CREATE TABLE audit_entries (
  id              INTEGER PRIMARY KEY,
  organisation_id TEXT REFERENCES organisations (id),
  user_id         TEXT REFERENCES users (id),
  action          TEXT NOT NULL,
  object_type     TEXT NOT NULL,
  object_id       TEXT,
  details         TEXT,
  request_id      TEXT,
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_entries_org_time ON audit_entries (organisation_id, created_at);
