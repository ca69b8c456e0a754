-- Install jobs: an operator's request to put one release on one device, moved forward by the
-- device itself. A retry is a new job that points at the one it retries, so history stays whole.

CREATE TABLE install_jobs (
  id              TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations (id),
  device_id       TEXT NOT NULL REFERENCES devices (id),
  item_id         TEXT NOT NULL REFERENCES marketplace_items (id),
  release_id      TEXT NOT NULL REFERENCES releases (id),
  entitlement_id  TEXT NOT NULL REFERENCES entitlements (id),
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'downloading', 'installing',
                                                  'succeeded', 'failed', 'cancelled')),
  attempt         INTEGER NOT NULL CHECK (attempt >= 1),
  retry_of        TEXT UNIQUE REFERENCES install_jobs (id),
  progress        INTEGER CHECK (progress BETWEEN 0 AND 100),
  reason          TEXT,
  created_by      TEXT REFERENCES users (id),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  finished_at     TEXT
) STRICT;
-- At most one job on its way per device and item.
CREATE UNIQUE INDEX install_jobs_one_active ON install_jobs (device_id, item_id)
  WHERE status IN ('queued', 'sent', 'downloading', 'installing');
CREATE INDEX install_jobs_org_created ON install_jobs (organisation_id, created_at, id);
CREATE INDEX install_jobs_org_status ON install_jobs (organisation_id, status, created_at, id);
CREATE INDEX install_jobs_device_item ON install_jobs (device_id, item_id, created_at, id);
-- A device polls for its oldest queued or sent job.
CREATE INDEX install_jobs_device_pending ON install_jobs (device_id, created_at)
  WHERE status IN ('queued', 'sent');

-- Every state a job went through, who moved it, and when. Append-only.
CREATE TABLE install_job_events (
  id         INTEGER PRIMARY KEY,
  job_id     TEXT NOT NULL REFERENCES install_jobs (id),
  status     TEXT NOT NULL,
  progress   INTEGER,
  detail     TEXT,
  actor      TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX install_job_events_job ON install_job_events (job_id, id);
CREATE TRIGGER install_job_events_no_update BEFORE UPDATE ON install_job_events
BEGIN SELECT RAISE(ABORT, 'install job events are append-only'); END;
CREATE TRIGGER install_job_events_no_delete BEFORE DELETE ON install_job_events
BEGIN SELECT RAISE(ABORT, 'install job events are append-only'); END;

-- What runs on a device now, per item: written when an install succeeds.
CREATE TABLE device_installations (
  device_id      TEXT NOT NULL REFERENCES devices (id),
  item_id        TEXT NOT NULL REFERENCES marketplace_items (id),
  release_id     TEXT NOT NULL REFERENCES releases (id),
  version        TEXT NOT NULL,
  install_job_id TEXT NOT NULL REFERENCES install_jobs (id),
  installed_at   TEXT NOT NULL,
  PRIMARY KEY (device_id, item_id)
) STRICT, WITHOUT ROWID;
