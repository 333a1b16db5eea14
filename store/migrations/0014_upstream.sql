-- Upstream sync: the envelope of each outbox event (who, from which device,
-- which request caused it), each SKU's latest availability with its
-- version (the compacted feed and compare-and-set), and the pusher's state:
-- the cursor central has acknowledged, events it rejected (parked), and
-- how far the outbox has been pruned.
ALTER TABLE outbox ADD COLUMN user_badge TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN request_id TEXT NOT NULL DEFAULT '';

-- The latest AvailabilityChanged per item: version counts them (1, 2, …),
-- seq is the outbox event that carried it.
CREATE TABLE availability_latest (
    item_id     INTEGER PRIMARY KEY REFERENCES items (id),
    version     INTEGER NOT NULL CHECK (version > 0),
    seq         INTEGER NOT NULL,
    on_hand     INTEGER NOT NULL,
    allocated   INTEGER NOT NULL,
    ats         INTEGER NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX availability_latest_seq ON availability_latest (seq);

-- One row per sink (push to central, NATS): everything up to acked_seq is
-- delivered and acknowledged.
CREATE TABLE upstream_cursor (
    sink        TEXT PRIMARY KEY,
    acked_seq   INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0),
    acked_at    TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '',
    error_at    TEXT NOT NULL DEFAULT ''
);

-- Events a receiver refused as malformed: never sent again, listed by
-- floorops sync status until an operator deals with them.
CREATE TABLE upstream_parked (
    sink       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    parked_at  TEXT NOT NULL,
    PRIMARY KEY (sink, seq)
);

-- Outbox events up to through_seq have been pruned (acknowledged by every
-- sink and older than the retention).
CREATE TABLE outbox_pruned (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    through_seq  INTEGER NOT NULL,
    pruned_at    TEXT NOT NULL
);
