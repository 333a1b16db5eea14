-- Directed putaway: tasks to move staged stock into storage or a pick face,
-- each confirmation at the shelf, items' home pick faces, holds that keep
-- putaway out of a location, and the index of empty locations that makes
-- "nearest empty slot" an index lookup instead of a scan of the racking.

-- One task per staged quantity of one item, lot, expiry, status and LPN at
-- one source location. put_qty grows with each confirmation (a pallet may
-- be split across locations); the task is done when put_qty reaches qty.
-- directed_location_id and directed_qty are where the node last directed
-- the task and how many units: that room is reserved, so suggestions for
-- other tasks count it as taken (never more than the units the task still
-- has), and the task may confirm there while the units still fit.
CREATE TABLE putaway_tasks (
    id               INTEGER PRIMARY KEY,
    item_id          INTEGER NOT NULL REFERENCES items (id),
    from_location_id INTEGER NOT NULL REFERENCES locations (id),
    lot              TEXT NOT NULL DEFAULT '',
    expiry           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('available', 'quarantine')),
    lpn              TEXT NOT NULL DEFAULT '',
    qty              INTEGER NOT NULL CHECK (qty > 0),
    put_qty          INTEGER NOT NULL DEFAULT 0 CHECK (put_qty >= 0 AND put_qty <= qty),
    state            TEXT NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
    origin           TEXT NOT NULL CHECK (origin IN ('staged', 'adhoc')),
    ref              TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    cancel_reason    TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    closed_at        TEXT NOT NULL DEFAULT '',
    directed_location_id INTEGER REFERENCES locations (id),
    directed_qty     INTEGER NOT NULL DEFAULT 0 CHECK (directed_qty >= 0),
    CHECK ((state = 'done') = (put_qty = qty)),
    CHECK ((directed_location_id IS NULL) = (directed_qty = 0))
);
-- Open tasks oldest first (the lead's queue), by LPN and by item (what an
-- associate scans in staging), by source stock (no over-tasking), by the
-- location their room is reserved in (suggestions), and done tasks by
-- completion (dock-to-stock).
CREATE INDEX putaway_tasks_open ON putaway_tasks (created_at, id) WHERE state = 'open';
CREATE INDEX putaway_tasks_open_lpn ON putaway_tasks (lpn, created_at, id) WHERE state = 'open' AND lpn <> '';
CREATE INDEX putaway_tasks_open_item ON putaway_tasks (item_id, created_at, id) WHERE state = 'open';
CREATE INDEX putaway_tasks_open_source ON putaway_tasks (from_location_id, item_id) WHERE state = 'open';
CREATE INDEX putaway_tasks_directed ON putaway_tasks (directed_location_id, directed_qty, qty, put_qty)
    WHERE state = 'open' AND directed_location_id IS NOT NULL;
CREATE INDEX putaway_tasks_done ON putaway_tasks (closed_at) WHERE state = 'done';

-- Each confirmation of a task at the shelf: where the units went, where the
-- node had directed them, and the override reason when those differ.
CREATE TABLE putaway_confirms (
    id                   INTEGER PRIMARY KEY,
    task_id              INTEGER NOT NULL REFERENCES putaway_tasks (id),
    movement_id          INTEGER NOT NULL REFERENCES movements (id),
    location_id          INTEGER NOT NULL REFERENCES locations (id),
    directed_location_id INTEGER REFERENCES locations (id),
    qty                  INTEGER NOT NULL CHECK (qty > 0),
    override_reason      TEXT NOT NULL DEFAULT '',
    user_badge           TEXT NOT NULL DEFAULT '',
    device_id            TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL
);
CREATE INDEX putaway_confirms_task ON putaway_confirms (task_id, id);

-- An item's fixed (home) pick face. A pick face is home to at most one item.
CREATE TABLE putaway_home_locations (
    item_id     INTEGER PRIMARY KEY REFERENCES items (id),
    location_id INTEGER NOT NULL UNIQUE REFERENCES locations (id),
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);

-- Empty, unblocked storage locations and pick faces, kept by the triggers
-- below in step with locations and balances. "Nearest empty location in
-- zone A" is then the first row of an index, however full the racking in
-- front of it is.
CREATE TABLE putaway_empty_locations (
    location_id INTEGER PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    zone        TEXT NOT NULL,
    type        TEXT NOT NULL,
    walk_seq    INTEGER NOT NULL,
    capacity    INTEGER NOT NULL
);
CREATE INDEX putaway_empty_zone ON putaway_empty_locations (zone, walk_seq, code);
CREATE INDEX putaway_empty_storage ON putaway_empty_locations (walk_seq, code) WHERE type = 'storage';

INSERT INTO putaway_empty_locations (location_id, code, zone, type, walk_seq, capacity)
SELECT l.id, l.code, l.zone, l.type, l.walk_seq, l.capacity FROM locations l
WHERE l.type IN ('storage', 'pickface') AND l.blocked = 0
  AND NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = l.id);

CREATE TRIGGER putaway_empty_stocked AFTER INSERT ON balances
BEGIN
    DELETE FROM putaway_empty_locations WHERE location_id = NEW.location_id;
END;

CREATE TRIGGER putaway_empty_emptied AFTER DELETE ON balances
BEGIN
    INSERT OR IGNORE INTO putaway_empty_locations (location_id, code, zone, type, walk_seq, capacity)
    SELECT l.id, l.code, l.zone, l.type, l.walk_seq, l.capacity FROM locations l
    WHERE l.id = OLD.location_id AND l.type IN ('storage', 'pickface') AND l.blocked = 0
      AND NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = OLD.location_id);
END;

CREATE TRIGGER putaway_empty_location_added AFTER INSERT ON locations
WHEN NEW.type IN ('storage', 'pickface') AND NEW.blocked = 0
BEGIN
    INSERT OR IGNORE INTO putaway_empty_locations (location_id, code, zone, type, walk_seq, capacity)
    SELECT NEW.id, NEW.code, NEW.zone, NEW.type, NEW.walk_seq, NEW.capacity
    WHERE NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = NEW.id);
END;

CREATE TRIGGER putaway_empty_location_changed AFTER UPDATE OF code, zone, type, walk_seq, capacity, blocked ON locations
BEGIN
    DELETE FROM putaway_empty_locations WHERE location_id = OLD.id;
    INSERT INTO putaway_empty_locations (location_id, code, zone, type, walk_seq, capacity)
    SELECT NEW.id, NEW.code, NEW.zone, NEW.type, NEW.walk_seq, NEW.capacity
    WHERE NEW.type IN ('storage', 'pickface') AND NEW.blocked = 0
      AND NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = NEW.id);
END;

-- Quarantine locations in walk order, for held stock's putaway.
CREATE INDEX putaway_locations_type ON locations (type, walk_seq, code);
