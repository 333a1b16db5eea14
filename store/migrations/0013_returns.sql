-- Returns triage: return authorizations from central, returned units with
-- their grade, disposition and SLA clock, the disposition rule table, and
-- the item category the rules read.

-- What kind of product an item is, for the returns rules ('' has none and
-- matches only rules for every category, '*').
ALTER TABLE items ADD COLUMN category TEXT NOT NULL DEFAULT '';

-- A return authorization central issued for one order.
CREATE TABLE rmas (
    id         INTEGER PRIMARY KEY,
    rma_number TEXT NOT NULL UNIQUE CHECK (rma_number <> ''),
    order_ref  TEXT NOT NULL CHECK (order_ref <> ''),
    channel    TEXT NOT NULL CHECK (channel IN ('amazon', 'walmart', 'tiktok', 'shopify', 'direct')),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX rmas_order ON rmas (order_ref);

-- One SKU authorized on an RMA, with the customer's reason.
CREATE TABLE rma_lines (
    id      INTEGER PRIMARY KEY,
    rma_id  INTEGER NOT NULL REFERENCES rmas (id),
    item_id INTEGER NOT NULL REFERENCES items (id),
    qty     INTEGER NOT NULL CHECK (qty > 0),
    reason  TEXT NOT NULL,
    UNIQUE (rma_id, item_id)
);

-- Identical returned units received together at a returns location, graded
-- and dispositioned together. The times are the unit's SLA clock.
CREATE TABLE return_units (
    id               INTEGER PRIMARY KEY,
    rma_id           INTEGER REFERENCES rmas (id),
    order_ref        TEXT NOT NULL DEFAULT '',
    item_id          INTEGER NOT NULL REFERENCES items (id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    lot              TEXT NOT NULL DEFAULT '',
    expiry           TEXT NOT NULL DEFAULT '',
    serial           TEXT NOT NULL DEFAULT '',
    location_id      INTEGER NOT NULL REFERENCES locations (id),
    reason           TEXT NOT NULL,
    exceptions       TEXT NOT NULL DEFAULT '',
    grade            TEXT NOT NULL DEFAULT '' CHECK (grade IN ('', 'A', 'B', 'C', 'D')),
    missing_parts    INTEGER NOT NULL DEFAULT 0,
    expired          INTEGER NOT NULL DEFAULT 0,
    suggested        TEXT NOT NULL DEFAULT '',
    disposition      TEXT NOT NULL DEFAULT '',
    override_reason  TEXT NOT NULL DEFAULT '',
    override_by      TEXT NOT NULL DEFAULT '',
    to_location_id   INTEGER REFERENCES locations (id),
    putaway_task_id  INTEGER,
    received_by      TEXT NOT NULL DEFAULT '',
    received_at      TEXT NOT NULL,
    graded_at        TEXT NOT NULL DEFAULT '',
    dispositioned_at TEXT NOT NULL DEFAULT '',
    putaway_at       TEXT NOT NULL DEFAULT '',
    CHECK (disposition = '' OR grade <> '')
);
CREATE INDEX return_units_queue ON return_units (received_at, id) WHERE disposition = '';
CREATE INDEX return_units_rma ON return_units (rma_id);
CREATE INDEX return_units_order ON return_units (order_ref, item_id);

-- The disposition rule table: condition x reason x category ('*' for any)
-- to a disposition, whether it makes units available, and where they go.
CREATE TABLE return_rules (
    condition     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    category      TEXT NOT NULL,
    disposition   TEXT NOT NULL,
    available     INTEGER NOT NULL,
    location_type TEXT NOT NULL,
    PRIMARY KEY (condition, reason, category)
);

INSERT INTO return_rules (condition, reason, category, disposition, available, location_type) VALUES
    ('A', '*', '*', 'restock', 1, 'storage'),
    ('B', '*', '*', 'restock', 1, 'storage'),
    ('C', '*', '*', 'refurbish', 0, 'quarantine'),
    ('D', '*', '*', 'dispose', 0, 'quarantine'),
    ('D', 'defective', '*', 'return_to_vendor', 0, 'quarantine'),
    ('A', 'missing_parts', '*', 'refurbish', 0, 'quarantine'),
    ('B', 'missing_parts', '*', 'refurbish', 0, 'quarantine'),
    ('A', 'expired', '*', 'dispose', 0, 'quarantine'),
    ('B', 'expired', '*', 'dispose', 0, 'quarantine'),
    ('C', 'expired', '*', 'dispose', 0, 'quarantine'),
    ('A', 'wrong_item', '*', 'quarantine', 0, 'returns'),
    ('B', 'wrong_item', '*', 'quarantine', 0, 'returns'),
    ('C', 'wrong_item', '*', 'quarantine', 0, 'returns'),
    ('D', 'wrong_item', '*', 'quarantine', 0, 'returns');
