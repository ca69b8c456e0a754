-- A device × item × mode in an open checkout is "held" by that checkout: a second checkout for
-- it is refused by this primary key, whichever process or request tries, in the same transaction
-- that writes the session. The hold goes when the session ends (paid, expired, cancelled, failed).
CREATE TABLE checkout_holds (
  organisation_id     TEXT NOT NULL REFERENCES organisations (id),
  device_id           TEXT NOT NULL REFERENCES devices (id),
  item_id             TEXT NOT NULL REFERENCES marketplace_items (id),
  mode                TEXT NOT NULL CHECK (mode IN ('test', 'live')),
  checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions (id),
  PRIMARY KEY (organisation_id, device_id, item_id, mode)
) STRICT, WITHOUT ROWID;
CREATE INDEX checkout_holds_session ON checkout_holds (checkout_session_id);

-- Sessions already open when holds arrived hold their lines too (the oldest first, if two overlap).
INSERT OR IGNORE INTO checkout_holds (organisation_id, device_id, item_id, mode, checkout_session_id)
SELECT c.organisation_id, l.device_id, l.item_id, c.mode, c.id
FROM checkout_sessions c JOIN checkout_session_lines l ON l.checkout_session_id = c.id
WHERE c.status = 'open' AND c.fulfilled_at IS NULL
ORDER BY c.created_at;

-- Why a refund was made when nobody asked for it (a duplicate purchase refunded automatically).
ALTER TABLE refunds ADD COLUMN reason TEXT;
