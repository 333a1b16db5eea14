package receiving

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// POFields are the fields of a purchase order an update may name, by
// their proto (and JSON) names. po_number names the PO and is never
// rewritten.
var POFields = []string{"po_number", "vendor", "expected_date", "status", "lines"}

// UpsertPurchaseOrder creates a PO or updates its header and lines,
// matched by PO number; fields names the ones an update writes (POFields),
// none given writes every field, so a field an update leaves out (an
// expected date central did not resend) keeps its stored value. Written
// lines replace the PO's lines, matched by line number. A closed PO is
// EPRECONDITION, as is a line ordered below what has been received on it,
// and removing a line or changing its SKU once it has been scanned
// against, even if every scan was undone: the receipt keeps the record of
// what was scanned on which line.
func (s *Service) UpsertPurchaseOrder(ctx context.Context, requestID string, po PurchaseOrder, fields ...string) (PurchaseOrder, error) {
	set, err := inventory.UpdateFields(fields, POFields)
	if err != nil {
		return PurchaseOrder{}, err
	}
	if err := normalizePO(&po); err != nil {
		return PurchaseOrder{}, err
	}
	body := struct {
		PO     PurchaseOrder `json:"purchase_order"`
		Fields []string      `json:"fields"`
	}{po, fields}
	saved, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UpsertPurchaseOrder", Body: body},
		func(tx *store.Tx) (PurchaseOrder, error) {
			if err := upsertPO(ctx, tx, po, set); err != nil {
				return PurchaseOrder{}, err
			}
			return s.poView(ctx, tx, po.Number)
		})
	return saved.seenBy(inventory.ActorFrom(ctx)), err
}

// normalizePO validates po and puts it in stored form: upper-case codes,
// line numbers by position where not given.
func normalizePO(po *PurchaseOrder) error {
	po.Number = scan.Code(po.Number)
	po.Vendor = scan.Code(po.Vendor)
	po.ExpectedDate = strings.TrimSpace(po.ExpectedDate)
	po.Blind, po.Ordered, po.Received, po.OpenReceipts = false, 0, 0, 0
	for i := range po.Lines {
		l := &po.Lines[i]
		l.SKU = scan.Code(l.SKU)
		l.Received = 0
		if l.LineNo == 0 {
			l.LineNo = i + 1
		}
	}
	if err := floorops.Validate(po); err != nil {
		return err
	}
	lineNos, skus := map[int]bool{}, map[string]bool{}
	for i, l := range po.Lines {
		if lineNos[l.LineNo] {
			return floorops.Invalid(fmt.Sprintf("lines[%d].line_number", i), "line %d is listed twice", l.LineNo)
		}
		if skus[l.SKU] {
			return floorops.Invalid(fmt.Sprintf("lines[%d].sku", i), "%s is on two lines; order it on one", l.SKU)
		}
		lineNos[l.LineNo], skus[l.SKU] = true, true
	}
	return nil
}

// upsertPO writes a normalized PO: a new one whole, an existing one only in
// fields.
func upsertPO(ctx context.Context, tx *store.Tx, po PurchaseOrder, fields inventory.Fields) error {
	now := store.FormatTime(tx.Now)
	h, err := poByNumber(ctx, tx, po.Number)
	exists := err == nil
	switch {
	case floorops.IsCode(err, floorops.ENOTFOUND):
		fields = nil // a new PO takes every field given
	case err != nil:
		return err
	case h.status == POClosed:
		return floorops.Errorf(floorops.EPRECONDITION, "%s is closed and cannot be changed", po.Number)
	default:
		if !fields.Has("vendor") {
			po.Vendor = h.vendor
		}
		if !fields.Has("expected_date") {
			po.ExpectedDate = h.date
		}
		if !fields.Has("status") {
			po.Status = h.status
		}
	}
	if po.Status == "" {
		po.Status = POOpen
	}
	if po.Vendor == "" {
		return floorops.Invalid("vendor", "is required")
	}
	writeLines := fields.Has("lines")
	if writeLines && len(po.Lines) == 0 {
		return floorops.Invalid("lines", "is required: a PO orders at least one line")
	}
	id := h.id
	if exists {
		if _, err := tx.ExecContext(ctx, `UPDATE purchase_orders SET vendor = ?, expected_date = ?, status = ?, updated_at = ? WHERE id = ?`,
			po.Vendor, po.ExpectedDate, string(po.Status), now, id); err != nil {
			return fmt.Errorf("update PO %s: %w", po.Number, err)
		}
	} else {
		err = tx.QueryRowContext(ctx, `INSERT INTO purchase_orders (po_number, vendor, expected_date, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, po.Number, po.Vendor, po.ExpectedDate, string(po.Status), now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert PO %s: %w", po.Number, err)
		}
	}
	if !writeLines {
		return nil
	}
	existing, err := poLines(ctx, tx, id)
	if err != nil {
		return err
	}
	keep := map[int]bool{}
	for _, l := range po.Lines {
		keep[l.LineNo] = true
	}
	// Lines that go away, or whose SKU changes, must never have been
	// scanned against: receipt rows, even of an undone scan, name the line.
	// A line that stays may not be ordered below what it has received: the
	// dock would then count received units as over-receipt.
	for _, old := range existing {
		changed := !keep[old.LineNo]
		for i, l := range po.Lines {
			changed = changed || (l.LineNo == old.LineNo && l.SKU != old.SKU)
			if l.LineNo == old.LineNo && l.SKU == old.SKU && l.Ordered < old.Received {
				return &floorops.Error{Code: floorops.EPRECONDITION,
					Message: fmt.Sprintf("%s line %d (%s) has received %d; it cannot be ordered at %d", po.Number, old.LineNo, old.SKU, old.Received, l.Ordered),
					Fields:  []floorops.FieldViolation{{Field: fmt.Sprintf("lines[%d].ordered_quantity", i), Description: fmt.Sprintf("is below the %d received", old.Received)}}}
			}
		}
		if !changed {
			continue
		}
		var scanned bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM receipt_scans WHERE po_line_id = ?)`, old.id).Scan(&scanned); err != nil {
			return fmt.Errorf("read scans of line %d of %s: %w", old.LineNo, po.Number, err)
		}
		if scanned {
			return floorops.Errorf(floorops.EPRECONDITION, "%s line %d (%s) has been received against (%d now) and cannot be removed or changed to another SKU",
				po.Number, old.LineNo, old.SKU, old.Received)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM po_lines WHERE po_id = ? AND line_no = ?`, id, old.LineNo); err != nil {
			return fmt.Errorf("remove line %d of %s: %w", old.LineNo, po.Number, err)
		}
	}
	for i, l := range po.Lines {
		item, err := inventory.ItemBySKU(ctx, tx, l.SKU)
		if floorops.IsCode(err, floorops.ENOTFOUND) {
			return &floorops.Error{Code: floorops.ENOTFOUND, Message: fmt.Sprintf("line %d: item %s not found", l.LineNo, l.SKU),
				Fields: []floorops.FieldViolation{{Field: fmt.Sprintf("lines[%d].sku", i), Description: "is not in the item master"}}}
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO po_lines (po_id, line_no, item_id, ordered_qty, tolerance_pct) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (po_id, line_no) DO UPDATE SET item_id = excluded.item_id, ordered_qty = excluded.ordered_qty,
				tolerance_pct = excluded.tolerance_pct`, id, l.LineNo, item.ID, l.Ordered, l.TolerancePct)
		if store.IsConstraint(err, store.ConstraintUnique) {
			return floorops.Invalid(fmt.Sprintf("lines[%d].sku", i), "%s is already on another line of %s", l.SKU, po.Number)
		}
		if err != nil {
			return fmt.Errorf("upsert line %d of %s: %w", l.LineNo, po.Number, err)
		}
	}
	return nil
}

// poLine is a PO line as stored, with its id for receiving.
type poLine struct {
	POLine
	id     int64
	itemID int64
}

// poLines reads a PO's lines with what every receipt received on each.
func poLines(ctx context.Context, q inventory.Querier, poID int64) ([]poLine, error) {
	var out []poLine
	err := inventory.EachRow(ctx, q, `SELECT pl.id, pl.item_id, pl.line_no, i.sku, pl.ordered_qty, pl.tolerance_pct,
			pl.received_qty
		FROM po_lines pl JOIN items i ON i.id = pl.item_id WHERE pl.po_id = ? ORDER BY pl.line_no`, []any{poID}, func(rows *sql.Rows) error {
		var l poLine
		err := rows.Scan(&l.id, &l.itemID, &l.LineNo, &l.SKU, &l.Ordered, &l.TolerancePct, &l.Received)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read PO lines: %w", err)
	}
	return out, nil
}

// poHeader is a PO row.
type poHeader struct {
	id     int64
	number string
	vendor string
	date   string
	status POStatus
}

func poByNumber(ctx context.Context, q inventory.Querier, number string) (poHeader, error) {
	h := poHeader{number: number}
	err := q.QueryRowContext(ctx, `SELECT id, vendor, expected_date, status FROM purchase_orders WHERE po_number = ?`, number).
		Scan(&h.id, &h.vendor, &h.date, &h.status)
	if errors.Is(err, sql.ErrNoRows) {
		return h, floorops.Errorf(floorops.ENOTFOUND, "purchase order %s not found", number)
	}
	if err != nil {
		return h, fmt.Errorf("read PO %s: %w", number, err)
	}
	return h, nil
}

// blindFor reports whether a vendor's deliveries are received blind.
func (s *Service) blindFor(ctx context.Context, q inventory.Querier, vendor string) (bool, error) {
	if s.Blind {
		return true, nil
	}
	var blind bool
	err := q.QueryRowContext(ctx, `SELECT blind FROM receiving_vendors WHERE vendor = ?`, vendor).Scan(&blind)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read vendor policy %s: %w", vendor, err)
	}
	return blind, nil
}

// poView reads a PO with its lines and receiving progress.
func (s *Service) poView(ctx context.Context, q inventory.Querier, number string) (PurchaseOrder, error) {
	h, err := poByNumber(ctx, q, number)
	if err != nil {
		return PurchaseOrder{}, err
	}
	po := PurchaseOrder{Number: h.number, Vendor: h.vendor, ExpectedDate: h.date, Status: h.status}
	lines, err := poLines(ctx, q, h.id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	for _, l := range lines {
		po.Lines = append(po.Lines, l.POLine)
		po.Ordered += l.Ordered
		po.Received += l.Received
	}
	if po.Blind, err = s.blindFor(ctx, q, h.vendor); err != nil {
		return PurchaseOrder{}, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM receipts WHERE po_id = ? AND status = 'open'`, h.id).Scan(&po.OpenReceipts); err != nil {
		return PurchaseOrder{}, fmt.Errorf("count open receipts of %s: %w", number, err)
	}
	return po, nil
}

// GetPurchaseOrder returns a PO with what has been received per line.
func (s *Service) GetPurchaseOrder(ctx context.Context, number string) (PurchaseOrder, error) {
	number = scan.Code(number)
	if number == "" {
		return PurchaseOrder{}, floorops.Invalid("po_number", "is required")
	}
	po, err := s.poView(ctx, s.db.Reader(), number)
	return po.seenBy(inventory.ActorFrom(ctx)), err
}

// ListPurchaseOrders returns up to limit POs after the PO number in
// pageToken, optionally only open ones, with progress, and the next token.
func (s *Service) ListPurchaseOrders(ctx context.Context, openOnly bool, limit int, pageToken string) ([]PurchaseOrder, string, error) {
	page, err := store.PageRequest(fmt.Sprintf("purchase_orders|%t", openOnly), limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT po_number FROM purchase_orders WHERE po_number > ? AND (? = 0 OR status = 'open')
		ORDER BY po_number LIMIT ?`, page.After, openOnly, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list POs: %w", err)
	}
	viewer := inventory.ActorFrom(ctx)
	return store.PageOfViews(page, rows, store.TextKey, func(n string) (PurchaseOrder, error) {
		po, err := s.poView(ctx, q, n)
		return po.seenBy(viewer), err
	})
}

// VendorPolicy is how one vendor's deliveries are received.
type VendorPolicy struct {
	Vendor string `json:"vendor" validate:"required,max=64,nocontrol"`
	Blind  bool   `json:"blind_receiving"`
}

// SetVendorPolicy stores how a vendor's deliveries are received. It applies
// to receipts started afterwards.
func (s *Service) SetVendorPolicy(ctx context.Context, requestID string, p VendorPolicy) (VendorPolicy, error) {
	p.Vendor = scan.Code(p.Vendor)
	if err := floorops.Validate(p); err != nil {
		return VendorPolicy{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "SetVendorPolicy", Body: p},
		func(tx *store.Tx) (VendorPolicy, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO receiving_vendors (vendor, blind, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (vendor) DO UPDATE SET blind = excluded.blind, updated_at = excluded.updated_at`,
				p.Vendor, p.Blind, store.FormatTime(tx.Now))
			if err != nil {
				return VendorPolicy{}, fmt.Errorf("set vendor policy %s: %w", p.Vendor, err)
			}
			return p, nil
		})
}
