-- ABC classes from pick velocity, recomputed at most once a day when a
-- count plan is made: one row per item while the node has picks in the
-- trailing window (items never picked in it are C). With no picks at all
-- (a new node) the table is empty and an item's own abc_class stands.
CREATE TABLE item_velocity_classes (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id),
    class        TEXT NOT NULL CHECK (class IN ('A', 'B', 'C')),
    picked_units INTEGER NOT NULL CHECK (picked_units >= 0),
    window_days  INTEGER NOT NULL
);

-- When the classes were last computed (one row): the node day, YYYY-MM-DD.
CREATE TABLE velocity_class_runs (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    computed_on  TEXT NOT NULL,
    window_days  INTEGER NOT NULL,
    picked_units INTEGER NOT NULL,
    computed_at  TEXT NOT NULL
);

-- The node's serial record: where a posted count last found each serial of
-- a serial-tracked item. The ledger holds quantities, not units, and no
-- workflow scans serials before counting does, so this is the only place
-- a serial's location is known.
CREATE TABLE serials (
    item_id     INTEGER NOT NULL REFERENCES items (id),
    serial      TEXT NOT NULL CHECK (serial <> ''),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    lot         TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',
    lpn         TEXT NOT NULL DEFAULT '',
    count_id    INTEGER NOT NULL REFERENCES counts (id),
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (item_id, serial)
);
CREATE INDEX serials_location ON serials (location_id);

-- The serials of one count: those the serial record placed at the
-- location when the count started (in_snapshot), those the associate
-- scanned (counted), and for a serial counted here that the record had at
-- another location, that location.
CREATE TABLE count_serials (
    count_id    INTEGER NOT NULL REFERENCES counts (id),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    serial      TEXT NOT NULL,
    lot         TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',
    lpn         TEXT NOT NULL DEFAULT '',
    in_snapshot INTEGER NOT NULL DEFAULT 0 CHECK (in_snapshot IN (0, 1)),
    counted     INTEGER NOT NULL DEFAULT 0 CHECK (counted IN (0, 1)),
    elsewhere_location_id INTEGER REFERENCES locations (id),
    PRIMARY KEY (count_id, item_id, serial)
);
