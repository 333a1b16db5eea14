-- What the first rounds on the floor asked for, added without touching the
-- released migrations.

-- Putaway tasks for units going back to stock (a cancelled order's picks,
-- later returns) are staged tasks marked restock, so dock-to-stock counts
-- received stock only. A column rather than a new origin value: SQLite
-- cannot change putaway_tasks' origin CHECK without rebuilding the table.
ALTER TABLE putaway_tasks ADD COLUMN restock INTEGER NOT NULL DEFAULT 0 CHECK (restock IN (0, 1));

-- Scans by license plate: whether a pallet (SSCC) was already received.
CREATE INDEX receipt_scans_lpn ON receipt_scans (lpn) WHERE lpn <> '';

-- Order lines still waiting for stock, filled before pick lists are built.
CREATE INDEX pick_order_lines_backordered ON pick_order_lines (order_id) WHERE backordered_qty > 0;
