-- What each purchase-order line has received so far, over every receipt:
-- the sum of its receipt scans (an undo is a negative scan), kept by
-- triggers as scans are written, so a receipt scan's over-receipt check
-- reads one row instead of summing every earlier scan on its line, and a
-- scan costs the same on the 5,000th pallet as on the first (issue 14).
ALTER TABLE po_lines ADD COLUMN received_qty INTEGER NOT NULL DEFAULT 0;

UPDATE po_lines SET received_qty =
    COALESCE((SELECT SUM(s.qty) FROM receipt_scans s WHERE s.po_line_id = po_lines.id), 0);

CREATE TRIGGER receipt_scans_received_insert AFTER INSERT ON receipt_scans
WHEN NEW.po_line_id IS NOT NULL
BEGIN
    UPDATE po_lines SET received_qty = received_qty + NEW.qty WHERE id = NEW.po_line_id;
END;

-- Scans are never changed or deleted today; should one be, the count
-- follows it.
CREATE TRIGGER receipt_scans_received_update AFTER UPDATE OF qty, po_line_id ON receipt_scans
BEGIN
    UPDATE po_lines SET received_qty = received_qty - OLD.qty WHERE id = OLD.po_line_id;
    UPDATE po_lines SET received_qty = received_qty + NEW.qty WHERE id = NEW.po_line_id;
END;

CREATE TRIGGER receipt_scans_received_delete AFTER DELETE ON receipt_scans
WHEN OLD.po_line_id IS NOT NULL
BEGIN
    UPDATE po_lines SET received_qty = received_qty - OLD.qty WHERE id = OLD.po_line_id;
END;
