-- Picking: orders released by central, the pick tasks that reserve stock
-- for their lines (each backed by one allocations row), pick lists that
-- group orders for one associate's walk, and return-to-stock tasks for
-- units picked for orders that were cancelled.

-- A customer order as central released it. order_ref is central's order
-- number; state follows the order through the floor.
CREATE TABLE pick_orders (
    id            INTEGER PRIMARY KEY,
    order_ref     TEXT NOT NULL UNIQUE CHECK (order_ref <> ''),
    channel       TEXT NOT NULL CHECK (channel IN ('amazon', 'walmart', 'tiktok', 'shopify', 'direct')),
    priority      INTEGER NOT NULL DEFAULT 0,
    ship_by       TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('released', 'listed', 'picked', 'cancelled')),
    cancel_reason TEXT NOT NULL DEFAULT '',
    released_by   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- Released orders in the order the pick-list rule takes them.
CREATE INDEX pick_orders_queue ON pick_orders (priority DESC, ship_by, id) WHERE state = 'released';

-- One order line: a SKU and quantity. backordered_qty is what the node could
-- not allocate (at release, or after a short pick found nothing elsewhere).
CREATE TABLE pick_order_lines (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES pick_orders (id),
    line_number     INTEGER NOT NULL CHECK (line_number > 0),
    item_id         INTEGER NOT NULL REFERENCES items (id),
    qty             INTEGER NOT NULL CHECK (qty > 0),
    backordered_qty INTEGER NOT NULL DEFAULT 0 CHECK (backordered_qty >= 0 AND backordered_qty <= qty),
    UNIQUE (order_id, line_number)
);

-- A pick list: one associate's walk. Picked units go onto the list's totes,
-- recorded at its ship lane, and are dropped at a ship lane on completion.
CREATE TABLE pick_lists (
    id               INTEGER PRIMARY KEY,
    type             TEXT NOT NULL CHECK (type IN ('discrete', 'batch', 'cluster')),
    state            TEXT NOT NULL CHECK (state IN ('open', 'picking', 'completed')),
    ship_location_id INTEGER NOT NULL REFERENCES locations (id),
    priority         INTEGER NOT NULL DEFAULT 0,
    ship_by          TEXT NOT NULL,
    assigned_to      TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    started_at       TEXT NOT NULL DEFAULT '',
    completed_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pick_lists_queue ON pick_lists (state, priority DESC, ship_by, id);

-- The orders on a list, in list order, and the tote each is picked into
-- (cluster: one tote per order; discrete and batch: the list's one tote).
-- An order is on at most one list.
CREATE TABLE pick_list_orders (
    list_id  INTEGER NOT NULL REFERENCES pick_lists (id),
    order_id INTEGER NOT NULL UNIQUE REFERENCES pick_orders (id),
    position INTEGER NOT NULL,
    tote     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (list_id, order_id)
);
CREATE INDEX pick_list_orders_tote ON pick_list_orders (tote) WHERE tote <> '';

-- A pick task: units of one order line reserved at one balance (location,
-- lot, expiry, LPN). allocation_id is the inventory allocations row holding
-- the reservation while the task is open; it is released as units are
-- picked, shorted or cancelled, and the id is cleared (NULL) when the task
-- closes and the allocation row is deleted, so no task points at a row id
-- the table may hand out again.
CREATE TABLE pick_tasks (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES pick_orders (id),
    line_id       INTEGER NOT NULL REFERENCES pick_order_lines (id),
    item_id       INTEGER NOT NULL REFERENCES items (id),
    location_id   INTEGER NOT NULL REFERENCES locations (id),
    lot           TEXT NOT NULL DEFAULT '',
    expiry        TEXT NOT NULL DEFAULT '',
    lpn           TEXT NOT NULL DEFAULT '',
    qty           INTEGER NOT NULL CHECK (qty > 0),
    picked_qty    INTEGER NOT NULL DEFAULT 0 CHECK (picked_qty >= 0),
    short_qty     INTEGER NOT NULL DEFAULT 0 CHECK (short_qty >= 0),
    state         TEXT NOT NULL CHECK (state IN ('open', 'picked', 'short', 'cancelled')),
    allocation_id INTEGER,
    list_id       INTEGER REFERENCES pick_lists (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (picked_qty + short_qty <= qty),
    CHECK (state <> 'picked' OR picked_qty = qty)
);
CREATE INDEX pick_tasks_line ON pick_tasks (line_id);
CREATE INDEX pick_tasks_order ON pick_tasks (order_id);
CREATE INDEX pick_tasks_list ON pick_tasks (list_id, state);

-- Units picked for an order that was then cancelled: they sit on a tote at
-- a ship lane and must go back to stock.
CREATE TABLE pick_returns (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES pick_orders (id),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    lot         TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',
    lpn         TEXT NOT NULL DEFAULT '',
    qty         INTEGER NOT NULL CHECK (qty > 0),
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX pick_returns_order ON pick_returns (order_id);
CREATE INDEX pick_returns_open ON pick_returns (location_id, lpn) WHERE state = 'open';

-- Allocations per balance: "how much of this bin's lot is already promised"
-- is an index range, not a scan of every allocation of the item.
CREATE INDEX allocations_balance ON allocations (item_id, location_id, lot, expiry, lpn);
