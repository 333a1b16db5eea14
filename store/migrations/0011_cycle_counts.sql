-- Cycle counts. A count is one associate's count of one location: started
-- by scanning it (the record there is snapshotted into count_lines), then
-- submitted with what was counted. A count beyond tolerance, or one during
-- which stock moved at the location, is recounted (a new row, recount_of
-- the first); two counts that agree wait for a lead. Only a posted count
-- changes stock, by movements of kind 'count' (counted minus snapshot).
CREATE TABLE counts (
    id               INTEGER PRIMARY KEY,
    location_id      INTEGER NOT NULL REFERENCES locations (id),
    state            TEXT NOT NULL CHECK (state IN ('open', 'counting', 'posted', 'recounted', 'pending_approval', 'removed')),
    recount_of       INTEGER REFERENCES counts (id),
    count_request_id INTEGER,
    -- The last ledger movement id when counting started: a movement at the
    -- location after it means stock moved during the count.
    start_movement_id INTEGER NOT NULL DEFAULT 0,
    counted_by       TEXT NOT NULL DEFAULT '',
    device_id        TEXT NOT NULL DEFAULT '',
    not_by           TEXT NOT NULL DEFAULT '',
    decided_by       TEXT NOT NULL DEFAULT '',
    decision_reason  TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    started_at       TEXT NOT NULL DEFAULT '',
    submitted_at     TEXT NOT NULL DEFAULT '',
    decided_at       TEXT NOT NULL DEFAULT '',
    -- A planned count: the day, why (triggered, zero-check, overdue, risk,
    -- added), its rank in the day's plan, its risk score and the score's
    -- named factors (a JSON array of strings), and who it is assigned to.
    plan_date        TEXT NOT NULL DEFAULT '',
    task_kind        TEXT NOT NULL DEFAULT '',
    plan_rank        INTEGER NOT NULL DEFAULT 0,
    score            REAL NOT NULL DEFAULT 0,
    reasons          TEXT NOT NULL DEFAULT '[]',
    assigned_to      TEXT NOT NULL DEFAULT ''
);
-- Never two counts in progress (open or counting) on one location.
CREATE UNIQUE INDEX counts_one_active ON counts (location_id) WHERE state IN ('open', 'counting');
CREATE INDEX counts_state ON counts (state);
CREATE INDEX counts_plan ON counts (plan_date) WHERE plan_date <> '';

-- One line per (item, lot, expiry, status, LPN) of a count: the record's
-- quantity when counting started, and (per item, lot, expiry, LPN, on the
-- available-status line) what the associate counted.
CREATE TABLE count_lines (
    id           INTEGER PRIMARY KEY,
    count_id     INTEGER NOT NULL REFERENCES counts (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    lot          TEXT NOT NULL DEFAULT '',
    expiry       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'available',
    lpn          TEXT NOT NULL DEFAULT '',
    snapshot_qty INTEGER NOT NULL DEFAULT 0 CHECK (snapshot_qty >= 0),
    counted_qty  INTEGER CHECK (counted_qty >= 0),
    UNIQUE (count_id, item_id, lot, expiry, status, lpn)
);

-- Every posted or judged count per (location, item): the risk model's count
-- error history and the accuracy report read it.
CREATE TABLE count_history (
    id           INTEGER PRIMARY KEY,
    count_id     INTEGER NOT NULL REFERENCES counts (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    snapshot_qty INTEGER NOT NULL,
    counted_qty  INTEGER NOT NULL,
    within_tolerance INTEGER NOT NULL CHECK (within_tolerance IN (0, 1)),
    counted_at   TEXT NOT NULL
);
CREATE INDEX count_history_location_item ON count_history (location_id, item_id);

-- Every step of a count, with who and when.
CREATE TABLE count_events (
    id         INTEGER PRIMARY KEY,
    count_id   INTEGER NOT NULL REFERENCES counts (id),
    step       TEXT NOT NULL,
    user_badge TEXT NOT NULL DEFAULT '',
    device_id  TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX count_events_count ON count_events (count_id);

-- The counting policy (one row): tolerances per ABC class as JSON.
CREATE TABLE count_policy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    policy     TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
