-- Receiving: purchase orders and ASNs from central, receipts scanned at the
-- dock against them. What a receipt brought is the sum of its scans; an
-- undone scan is a reversing row, never a delete.

CREATE TABLE purchase_orders (
    id            INTEGER PRIMARY KEY,
    po_number     TEXT NOT NULL UNIQUE CHECK (po_number <> ''),
    vendor        TEXT NOT NULL CHECK (vendor <> ''),
    expected_date TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX purchase_orders_status ON purchase_orders (status, po_number);

-- One line per SKU on a PO.
CREATE TABLE po_lines (
    id            INTEGER PRIMARY KEY,
    po_id         INTEGER NOT NULL REFERENCES purchase_orders (id),
    line_no       INTEGER NOT NULL CHECK (line_no > 0),
    item_id       INTEGER NOT NULL REFERENCES items (id),
    ordered_qty   INTEGER NOT NULL CHECK (ordered_qty > 0),
    tolerance_pct INTEGER NOT NULL DEFAULT 0 CHECK (tolerance_pct BETWEEN 0 AND 1000),
    UNIQUE (po_id, line_no),
    UNIQUE (po_id, item_id)
);

-- Per-vendor receiving policy.
CREATE TABLE receiving_vendors (
    vendor     TEXT PRIMARY KEY CHECK (vendor <> ''),
    blind      INTEGER NOT NULL DEFAULT 0 CHECK (blind IN (0, 1)),
    updated_at TEXT NOT NULL
);

-- Advance ship notices and their pallets (SSCC) or cartons (LPN).
CREATE TABLE asns (
    id         INTEGER PRIMARY KEY,
    asn_number TEXT NOT NULL UNIQUE CHECK (asn_number <> ''),
    po_id      INTEGER NOT NULL REFERENCES purchase_orders (id),
    ship_date  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX asns_po ON asns (po_id);

CREATE TABLE asn_containers (
    id     INTEGER PRIMARY KEY,
    asn_id INTEGER NOT NULL REFERENCES asns (id),
    code   TEXT NOT NULL UNIQUE CHECK (code <> ''),
    kind   TEXT NOT NULL CHECK (kind IN ('sscc', 'lpn'))
);
CREATE INDEX asn_containers_asn ON asn_containers (asn_id);

CREATE TABLE asn_contents (
    id           INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES asn_containers (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    qty          INTEGER NOT NULL CHECK (qty > 0),
    lot          TEXT NOT NULL DEFAULT '',
    expiry       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX asn_contents_container ON asn_contents (container_id);

CREATE TABLE receipts (
    id               INTEGER PRIMARY KEY,
    po_id            INTEGER NOT NULL REFERENCES purchase_orders (id),
    asn_id           INTEGER REFERENCES asns (id),
    dock_location_id INTEGER NOT NULL REFERENCES locations (id),
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    blind            INTEGER NOT NULL CHECK (blind IN (0, 1)),
    user_badge       TEXT NOT NULL DEFAULT '',
    device_id        TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    closed_at        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX receipts_po ON receipts (po_id, id);
CREATE INDEX receipts_status ON receipts (status, id);

-- Every quantity a scan received (qty > 0) or an undo reversed (qty < 0,
-- undoes_id naming the scan row it reverses). po_line_id NULL: the item is
-- not on the PO. scan_request groups the rows of one scan (a pallet is
-- several rows).
CREATE TABLE receipt_scans (
    id              INTEGER PRIMARY KEY,
    receipt_id      INTEGER NOT NULL REFERENCES receipts (id),
    po_line_id      INTEGER REFERENCES po_lines (id),
    item_id         INTEGER NOT NULL REFERENCES items (id),
    container_id    INTEGER REFERENCES asn_containers (id),
    lot             TEXT NOT NULL DEFAULT '',
    expiry          TEXT NOT NULL DEFAULT '',
    lpn             TEXT NOT NULL DEFAULT '',
    condition       TEXT NOT NULL CHECK (condition IN ('good', 'damaged')),
    status          TEXT NOT NULL CHECK (status IN ('available', 'quarantine')),
    qty             INTEGER NOT NULL CHECK (qty <> 0),
    undoes_id       INTEGER UNIQUE REFERENCES receipt_scans (id),
    movement_id     INTEGER NOT NULL REFERENCES movements (id),
    override_reason TEXT NOT NULL DEFAULT '',
    undo_reason     TEXT NOT NULL DEFAULT '',
    raw_scan        TEXT NOT NULL DEFAULT '',
    scan_request    TEXT NOT NULL,
    user_badge      TEXT NOT NULL DEFAULT '',
    device_id       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    CHECK ((qty > 0) = (undoes_id IS NULL))
);
CREATE INDEX receipt_scans_receipt ON receipt_scans (receipt_id, id);
CREATE INDEX receipt_scans_line ON receipt_scans (po_line_id, qty);
CREATE INDEX receipt_scans_container ON receipt_scans (container_id);

-- A closed receipt's reconciliation exactly as it was sent upstream
-- (ReceiptReconciled), one row per PO line then per unexpected SKU in
-- position order. Expected is the ordered quantity less what receipts of
-- the PO closed before this one brought. It is written once, at close, and
-- never recomputed, so later receipts or PO edits do not change it.
-- line_no is 0 for an item not on the PO; lines are not referenced, since
-- a PO line with nothing received may still be removed.
CREATE TABLE receipt_lines (
    receipt_id   INTEGER NOT NULL REFERENCES receipts (id),
    position     INTEGER NOT NULL CHECK (position > 0),
    line_no      INTEGER NOT NULL CHECK (line_no >= 0),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    expected_qty INTEGER NOT NULL CHECK (expected_qty >= 0),
    good_qty     INTEGER NOT NULL,
    damaged_qty  INTEGER NOT NULL,
    short_qty    INTEGER NOT NULL CHECK (short_qty >= 0),
    over_qty     INTEGER NOT NULL CHECK (over_qty >= 0),
    unexpected   INTEGER NOT NULL CHECK (unexpected IN (0, 1)),
    PRIMARY KEY (receipt_id, position)
);
