-- Purchase search for support, at a million rows: indexes that fit every filter, and counts
-- kept by triggers so that the total of a broad filter never counts millions of rows.

-- Device IDs are typed off labels: match them ignoring ASCII case, exactly or by prefix.
DROP INDEX purchases_org_device;
CREATE INDEX purchases_org_device ON purchases (organisation_id, device_id COLLATE NOCASE, created_at, id);
-- Refunded purchases are few: listing them alone must not walk every active one.
CREATE INDEX purchases_org_status ON purchases (organisation_id, status, created_at, id);

-- One row per organisation, UTC day, mode, status and item, with how many purchases it holds.
-- The total of any filter without a device or a part-day bound is a sum over these rows.
CREATE TABLE purchase_counts (
  organisation_id TEXT NOT NULL,
  day             TEXT NOT NULL,
  mode            TEXT NOT NULL,
  status          TEXT NOT NULL,
  item_id         TEXT NOT NULL,
  count           INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (organisation_id, day, mode, status, item_id)
) STRICT, WITHOUT ROWID;

INSERT INTO purchase_counts (organisation_id, day, mode, status, item_id, count)
SELECT organisation_id, substr(created_at, 1, 10), mode, status, item_id, count(*)
FROM purchases GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER purchase_counts_insert AFTER INSERT ON purchases
BEGIN
  INSERT INTO purchase_counts (organisation_id, day, mode, status, item_id, count)
  VALUES (NEW.organisation_id, substr(NEW.created_at, 1, 10), NEW.mode, NEW.status, NEW.item_id, 1)
  ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER purchase_counts_delete AFTER DELETE ON purchases
BEGIN
  UPDATE purchase_counts SET count = count - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.created_at, 1, 10)
    AND mode = OLD.mode AND status = OLD.status AND item_id = OLD.item_id;
END;

CREATE TRIGGER purchase_counts_update
AFTER UPDATE OF organisation_id, created_at, mode, status, item_id ON purchases
BEGIN
  UPDATE purchase_counts SET count = count - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.created_at, 1, 10)
    AND mode = OLD.mode AND status = OLD.status AND item_id = OLD.item_id;
  INSERT INTO purchase_counts (organisation_id, day, mode, status, item_id, count)
  VALUES (NEW.organisation_id, substr(NEW.created_at, 1, 10), NEW.mode, NEW.status, NEW.item_id, 1)
  ON CONFLICT DO UPDATE SET count = count + 1;
END;

-- The Idempotency-Key of the request that asked for a refund, sent on to Stripe with every
-- (re)try of that refund, so that a lost answer never turns into a second refund.
ALTER TABLE refunds ADD COLUMN stripe_idempotency_key TEXT;
