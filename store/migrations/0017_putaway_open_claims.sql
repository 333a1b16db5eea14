-- What the open putaway tasks of each source stock (one balance: location,
-- item, lot, expiry, status, LPN) still claim, kept by triggers as tasks
-- are written, so creating a task (every receipt scan does, in its
-- transaction) reads one row instead of summing every open task of its
-- stock: a dock where putaway has fallen behind holds thousands of them,
-- and a scan must cost the same there as at an empty dock (issue 14).
CREATE TABLE putaway_open_claims (
    from_location_id INTEGER NOT NULL,
    item_id          INTEGER NOT NULL,
    lot              TEXT NOT NULL,
    expiry           TEXT NOT NULL,
    status           TEXT NOT NULL,
    lpn              TEXT NOT NULL,
    claimed          INTEGER NOT NULL CHECK (claimed > 0),
    PRIMARY KEY (from_location_id, item_id, lot, expiry, status, lpn)
) WITHOUT ROWID;

INSERT INTO putaway_open_claims (from_location_id, item_id, lot, expiry, status, lpn, claimed)
SELECT from_location_id, item_id, lot, expiry, status, lpn, SUM(qty - put_qty) FROM putaway_tasks
WHERE state = 'open' GROUP BY from_location_id, item_id, lot, expiry, status, lpn HAVING SUM(qty - put_qty) > 0;

CREATE TRIGGER putaway_open_claims_insert AFTER INSERT ON putaway_tasks
WHEN NEW.state = 'open' AND NEW.qty > NEW.put_qty
BEGIN
    INSERT INTO putaway_open_claims (from_location_id, item_id, lot, expiry, status, lpn, claimed)
    VALUES (NEW.from_location_id, NEW.item_id, NEW.lot, NEW.expiry, NEW.status, NEW.lpn, NEW.qty - NEW.put_qty)
    ON CONFLICT DO UPDATE SET claimed = claimed + excluded.claimed;
END;

-- A row that falls to nothing goes (deleted before any subtraction, so a
-- row left with exactly the old claim is not taken for one falling to
-- nothing), so the table holds only stock with open claims.
CREATE TRIGGER putaway_open_claims_update AFTER UPDATE OF from_location_id, item_id, lot, expiry, status, lpn, qty, put_qty, state ON putaway_tasks
BEGIN
    DELETE FROM putaway_open_claims
    WHERE OLD.state = 'open' AND OLD.qty > OLD.put_qty AND claimed = OLD.qty - OLD.put_qty
      AND from_location_id = OLD.from_location_id AND item_id = OLD.item_id AND lot = OLD.lot
      AND expiry = OLD.expiry AND status = OLD.status AND lpn = OLD.lpn;
    UPDATE putaway_open_claims SET claimed = claimed - (OLD.qty - OLD.put_qty)
    WHERE OLD.state = 'open' AND OLD.qty > OLD.put_qty AND claimed > OLD.qty - OLD.put_qty
      AND from_location_id = OLD.from_location_id AND item_id = OLD.item_id AND lot = OLD.lot
      AND expiry = OLD.expiry AND status = OLD.status AND lpn = OLD.lpn;
    INSERT INTO putaway_open_claims (from_location_id, item_id, lot, expiry, status, lpn, claimed)
    SELECT NEW.from_location_id, NEW.item_id, NEW.lot, NEW.expiry, NEW.status, NEW.lpn, NEW.qty - NEW.put_qty
    WHERE NEW.state = 'open' AND NEW.qty > NEW.put_qty
    ON CONFLICT DO UPDATE SET claimed = claimed + excluded.claimed;
END;

CREATE TRIGGER putaway_open_claims_delete AFTER DELETE ON putaway_tasks
WHEN OLD.state = 'open' AND OLD.qty > OLD.put_qty
BEGIN
    DELETE FROM putaway_open_claims
    WHERE claimed = OLD.qty - OLD.put_qty
      AND from_location_id = OLD.from_location_id AND item_id = OLD.item_id AND lot = OLD.lot
      AND expiry = OLD.expiry AND status = OLD.status AND lpn = OLD.lpn;
    UPDATE putaway_open_claims SET claimed = claimed - (OLD.qty - OLD.put_qty)
    WHERE claimed > OLD.qty - OLD.put_qty
      AND from_location_id = OLD.from_location_id AND item_id = OLD.item_id AND lot = OLD.lot
      AND expiry = OLD.expiry AND status = OLD.status AND lpn = OLD.lpn;
END;
