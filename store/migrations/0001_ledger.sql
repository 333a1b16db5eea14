-- The inventory ledger: item master, locations, balances (the projection
-- of movements), allocations, the transactional outbox and request-id
-- idempotency. A license plate (pallet, carton, tote; an SSCC for GS1
-- pallets) is the lpn of the balances on it: where its units are is read
-- from balances, never kept twice.

CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    sku             TEXT NOT NULL UNIQUE CHECK (sku <> ''),
    description     TEXT NOT NULL DEFAULT '',
    unit_cost_cents INTEGER NOT NULL DEFAULT 0 CHECK (unit_cost_cents >= 0),
    lot_tracked     INTEGER NOT NULL DEFAULT 0 CHECK (lot_tracked IN (0, 1)),
    expiry_tracked  INTEGER NOT NULL DEFAULT 0 CHECK (expiry_tracked IN (0, 1)),
    serial_tracked  INTEGER NOT NULL DEFAULT 0 CHECK (serial_tracked IN (0, 1)),
    abc_class       TEXT NOT NULL DEFAULT 'C' CHECK (abc_class IN ('A', 'B', 'C')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Barcodes of an item. gtin is normalised to 14 digits.
CREATE TABLE item_gtins (
    gtin     TEXT PRIMARY KEY CHECK (length(gtin) = 14),
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    pack_qty INTEGER NOT NULL CHECK (pack_qty > 0)
);
CREATE INDEX item_gtins_item ON item_gtins (item_id);

CREATE TABLE locations (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE CHECK (code <> ''),
    zone       TEXT NOT NULL CHECK (zone <> ''),
    type       TEXT NOT NULL CHECK (type IN ('dock', 'staging', 'storage', 'pickface', 'returns', 'quarantine', 'ship')),
    walk_seq   INTEGER NOT NULL DEFAULT 0,
    capacity   INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    blocked    INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    check_code TEXT NOT NULL CHECK (length(check_code) = 2),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX locations_walk ON locations (walk_seq, code);
CREATE INDEX locations_zone_walk ON locations (zone, walk_seq, code);

-- Stock on hand. One row per (location, item, lot, expiry, status, LPN);
-- only ever changed together with a movements row. Never negative.
CREATE TABLE balances (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    lot         TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('available', 'quarantine')),
    lpn         TEXT NOT NULL DEFAULT '',
    qty         INTEGER NOT NULL CHECK (qty >= 0),
    received_at TEXT NOT NULL,
    UNIQUE (location_id, item_id, lot, expiry, status, lpn)
);
CREATE INDEX balances_lpn ON balances (lpn) WHERE lpn <> '';
CREATE INDEX balances_item ON balances (item_id, status);

-- The ledger. Every change of quantity is one row; balances are its
-- projection. from_location_id NULL: units entered the building; to NULL:
-- units left it.
CREATE TABLE movements (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    item_id          INTEGER NOT NULL REFERENCES items (id),
    lot              TEXT NOT NULL DEFAULT '',
    expiry           TEXT NOT NULL DEFAULT '',
    from_location_id INTEGER REFERENCES locations (id),
    to_location_id   INTEGER REFERENCES locations (id),
    from_status      TEXT NOT NULL DEFAULT '',
    to_status        TEXT NOT NULL DEFAULT '',
    from_lpn         TEXT NOT NULL DEFAULT '',
    to_lpn           TEXT NOT NULL DEFAULT '',
    qty              INTEGER NOT NULL CHECK (qty > 0),
    reason           TEXT NOT NULL DEFAULT '',
    user_badge       TEXT NOT NULL DEFAULT '',
    device_id        TEXT NOT NULL DEFAULT '',
    ref              TEXT NOT NULL DEFAULT '',
    request_id       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    CHECK (from_location_id IS NOT NULL OR to_location_id IS NOT NULL)
);
CREATE INDEX movements_item ON movements (item_id, id);
CREATE INDEX movements_from ON movements (from_location_id, id);
CREATE INDEX movements_to ON movements (to_location_id, id);

-- Units reserved for order lines. ATS = available on hand in sellable
-- locations minus the sum of these.
CREATE TABLE allocations (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    lot         TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',
    lpn         TEXT NOT NULL DEFAULT '',
    qty         INTEGER NOT NULL CHECK (qty > 0),
    ref         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX allocations_item ON allocations (item_id);
CREATE INDEX allocations_ref ON allocations (ref);

-- Transactional outbox: events for central, written in the same transaction
-- as the change. AUTOINCREMENT: a sequence is never reused.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- The first response to each client request id.
CREATE TABLE idempotency (
    request_id   TEXT PRIMARY KEY,
    method       TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response     BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
