-- What the first rounds on the floor asked for, added without touching the
-- released migrations.

-- Putaway tasks for units going back to stock (a cancelled order's picks,
-- later returns) are staged tasks marked restock, so dock-to-stock counts
-- received stock only. A column rather than a new origin value: SQLite
-- cannot change putaway_tasks' origin CHECK without rebuilding the table.
ALTER TABLE putaway_tasks ADD COLUMN restock INTEGER NOT NULL DEFAULT 0 CHECK (restock IN (0, 1));

-- Open putaway tasks by their whole source stock, covering what they still
-- claim: receiving sums the claims on a stock at every scan, and a dock
-- where putaway has fallen behind holds thousands of them. Replaces the
-- narrower index on location and item.
CREATE INDEX putaway_tasks_open_stock ON putaway_tasks
    (from_location_id, item_id, lot, expiry, status, lpn, created_at, id, qty, put_qty) WHERE state = 'open';
DROP INDEX putaway_tasks_open_source;

-- Scans by license plate: whether a pallet (SSCC) was already received.
CREATE INDEX receipt_scans_lpn ON receipt_scans (lpn) WHERE lpn <> '';

-- Order lines still waiting for stock, filled before pick lists are built.
CREATE INDEX pick_order_lines_backordered ON pick_order_lines (order_id) WHERE backordered_qty > 0;

-- A leaked API key is disabled and a new one created under the same name
-- (so central keeps its identity, key:<name>): names are unique among
-- active keys only. SQLite cannot drop a column's UNIQUE, so the table,
-- which nothing references, is rebuilt.
CREATE TABLE api_keys_new (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (name <> ''),
    key_hash   BLOB NOT NULL UNIQUE,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL
);
INSERT INTO api_keys_new (id, name, key_hash, disabled, created_at)
    SELECT id, name, key_hash, disabled, created_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE disabled = 0;
