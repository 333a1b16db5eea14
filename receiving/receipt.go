package receiving

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// StartInput is what an associate scans to start a receipt: the dock
// door's location label, then the PO number or a container from its ASN.
type StartInput struct {
	DockScan     string          `json:"dock_location_scan" validate:"required,max=128"`
	DocumentScan string          `json:"document_scan" validate:"required,max=128"`
	Actor        inventory.Actor `json:"actor"`
}

// StartReceipt opens a receipt at a dock door against an open PO. The
// location scanned must be a dock; a container scan starts the receipt
// for its ASN's PO, unless it has already been received (EPRECONDITION):
// that pallet's truck is unloaded. Blind receiving is fixed when the
// receipt starts. A document scan that is neither a PO number nor a pallet
// or carton label (an item barcode, a location, an unreadable label) is
// EINVALID; a PO number, SSCC or LPN this node does not have is ENOTFOUND.
func (s *Service) StartReceipt(ctx context.Context, requestID string, in StartInput) (Receipt, error) {
	in.DockScan = strings.TrimSpace(in.DockScan)
	in.DocumentScan = strings.TrimSpace(in.DocumentScan)
	if err := floorops.Validate(in); err != nil {
		return Receipt{}, err
	}
	rc, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "StartReceipt", Body: in},
		func(tx *store.Tx) (Receipt, error) {
			id, err := s.startReceipt(ctx, tx, in)
			if err != nil {
				return Receipt{}, err
			}
			return receiptView(ctx, tx, id)
		})
	return rc.seenBy(in.Actor), err
}

func (s *Service) startReceipt(ctx context.Context, tx *store.Tx, in StartInput) (int64, error) {
	dock, err := inventory.VerifyLocationScan(ctx, tx, s.scan, "dock_location_scan", in.DockScan, nil)
	if err != nil {
		return 0, err
	}
	if dock.Type != inventory.LocDock {
		return 0, floorops.Invalid("dock_location_scan", "%s is a %s location, not a dock door: scan the door's label", dock.Code, dock.Type)
	}
	if dock.Blocked {
		return 0, floorops.Errorf(floorops.EPRECONDITION, "dock %s is blocked", dock.Code)
	}
	var po poHeader
	var asnID any
	doc := readDocument(s.scan, in.DocumentScan)
	code := doc.code
	if doc.container {
		c, err := containerByCode(ctx, tx, code)
		if floorops.IsCode(err, floorops.ENOTFOUND) {
			// A pallet no ASN lists, received already by its label, says
			// so rather than that it is unknown.
			if perr := palletNotReceived(ctx, tx, code); perr != nil {
				return 0, perr
			}
		}
		if err != nil {
			return 0, err
		}
		if c.received {
			return 0, floorops.Errorf(floorops.EPRECONDITION, "%s has already been received: its delivery is unloaded; scan the PO number for another delivery", code)
		}
		asnID = c.asnID
		if err := tx.QueryRowContext(ctx, `SELECT po_number FROM purchase_orders WHERE id = ?`, c.poID).Scan(&po.number); err != nil {
			return 0, fmt.Errorf("read PO of %s: %w", code, err)
		}
		code = po.number
	}
	po, err = poByNumber(ctx, tx, code)
	if floorops.IsCode(err, floorops.ENOTFOUND) && doc.notPO != "" {
		return 0, floorops.Invalid("document_scan", "%s: scan the PO number from the paperwork, or a pallet's SSCC or a carton's LPN label from the ASN", doc.notPO)
	}
	if err != nil {
		return 0, err
	}
	if po.status == POClosed {
		return 0, floorops.Errorf(floorops.EPRECONDITION, "%s is closed; it expects no more deliveries", po.number)
	}
	blind, err := s.blindFor(ctx, tx, po.vendor)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO receipts (po_id, asn_id, dock_location_id, status, blind, user_badge, device_id, created_at)
		VALUES (?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id`,
		po.id, asnID, dock.ID, blind, in.Actor.Badge, in.Actor.Device, store.FormatTime(tx.Now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert receipt: %w", err)
	}
	return id, nil
}

// document is what a StartReceipt document scan names: a pallet's SSCC
// or a carton's LPN (container), or else the PO number to look up: the
// parsed PO code, or the text as scanned, upper-cased, for PO numbers in a
// vendor's own format. notPO, when the scan is not in the node's PO number
// format, says what it is instead, for the refusal when no PO has that
// number.
type document struct {
	code      string
	container bool
	notPO     string
}

func readDocument(p *scan.Parser, raw string) document {
	sc, err := p.Parse(raw)
	text := scan.Code(raw)
	var se *scan.Error
	switch {
	case errors.As(err, &se) && se.Reason == scan.ReasonUnrecognised:
		return document{code: text, notPO: fmt.Sprintf("%q is not a PO number this node has, nor a label it reads", raw)}
	case err != nil:
		return document{code: text, notPO: fmt.Sprintf("%q is not a readable label (%v)", raw, err)}
	case sc.SSCC != "":
		return document{code: sc.SSCC, container: true}
	case sc.Kind == scan.KindLPN:
		return document{code: sc.Code, container: true}
	case sc.Kind == scan.KindPO:
		return document{code: sc.Code}
	case sc.Code != "":
		return document{code: sc.Code, notPO: fmt.Sprintf("%s is %s", sc.Code, kindWords(sc.Kind))}
	}
	return document{code: text, notPO: fmt.Sprintf("%s is %s", sc.Raw, kindWords(sc.Kind))}
}

// kindWords names a kind of scan for an associate.
func kindWords(k scan.Kind) string {
	switch k {
	case scan.KindGTIN:
		return "an item barcode (GTIN)"
	case scan.KindGS1:
		return "an item's GS1 label"
	case scan.KindLocation:
		return "a location label"
	case scan.KindCheckCode:
		return "a location check code"
	case scan.KindOrder:
		return "a sales order number"
	case scan.KindRMA:
		return "a return authorisation (RMA) number"
	case scan.KindBadge:
		return "a badge"
	}
	return "a " + k.String()
}

// receiptRow is a receipt's header as the transactions that change it need.
type receiptRow struct {
	id          int64
	poID        int64
	poNumber    string
	poStatus    POStatus
	asnID       sql.NullInt64
	vendor      string
	dockID      int64
	dockCode    string
	dockBlocked bool
	status      ReceiptStatus
	blind       bool
}

func readReceipt(ctx context.Context, q inventory.Querier, id int64) (receiptRow, error) {
	r := receiptRow{id: id}
	err := q.QueryRowContext(ctx, `SELECT r.po_id, p.po_number, p.status, r.asn_id, p.vendor, r.dock_location_id, l.code, l.blocked, r.status, r.blind
		FROM receipts r JOIN purchase_orders p ON p.id = r.po_id JOIN locations l ON l.id = r.dock_location_id WHERE r.id = ?`, id).
		Scan(&r.poID, &r.poNumber, &r.poStatus, &r.asnID, &r.vendor, &r.dockID, &r.dockCode, &r.dockBlocked, &r.status, &r.blind)
	if errors.Is(err, sql.ErrNoRows) {
		return r, floorops.Errorf(floorops.ENOTFOUND, "receipt %d not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("read receipt %d: %w", id, err)
	}
	return r, nil
}

// openReceipt reads a receipt that may still be scanned into.
func openReceipt(ctx context.Context, q inventory.Querier, id int64) (receiptRow, error) {
	if id <= 0 {
		return receiptRow{}, floorops.Invalid("receipt_id", "is required")
	}
	r, err := readReceipt(ctx, q, id)
	switch {
	case err != nil:
		return r, err
	case r.status == ReceiptClosed:
		return r, floorops.Errorf(floorops.EPRECONDITION, "receipt %d is closed", id)
	case r.poStatus == POClosed:
		return r, floorops.Errorf(floorops.EPRECONDITION, "%s was closed; receipt %d takes no more scans", r.poNumber, id)
	}
	return r, nil
}

// scannableReceipt reads an open receipt whose dock may take stock now: a
// dock blocked after the receipt started (a spill, a broken leveller)
// takes no more units until a lead unblocks it. Undoing a scan there is
// still allowed: it takes units out.
func scannableReceipt(ctx context.Context, q inventory.Querier, id int64) (receiptRow, error) {
	r, err := openReceipt(ctx, q, id)
	if err == nil && r.dockBlocked {
		err = floorops.Errorf(floorops.EPRECONDITION, "dock %s is blocked: receipt %d takes no scans there until a lead unblocks it", r.dockCode, id)
	}
	return r, err
}

// MayClosePurchaseOrder reports whether a may close a receipt's PO for
// good (CloseInput.ClosePO): a lead or admin, who decides that the vendor
// will send no more; anyone on the floor may close the receipt itself.
func MayClosePurchaseOrder(a inventory.Actor) bool {
	return a.Role == inventory.Lead || a.Role == inventory.Admin
}

// CloseInput closes a receipt; ClosePO also closes its PO (the last
// delivery: what is still short will not come).
type CloseInput struct {
	ReceiptID int64           `json:"receipt_id" validate:"gt=0"`
	ClosePO   bool            `json:"close_purchase_order"`
	Actor     inventory.Actor `json:"actor"`
}

// CloseReceipt closes a receipt, reconciles it against its PO and sends
// the reconciliation upstream (ReceiptReconciled) in the same transaction.
// Closing the PO too is EPERMISSION for anyone who may not
// (MayClosePurchaseOrder).
func (s *Service) CloseReceipt(ctx context.Context, requestID string, in CloseInput) (Receipt, error) {
	if in.ClosePO && !MayClosePurchaseOrder(in.Actor) {
		return Receipt{}, floorops.Errorf(floorops.EPERMISSION, "only a lead or admin may close a purchase order")
	}
	if err := floorops.Validate(in); err != nil {
		return Receipt{}, err
	}
	rc, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "CloseReceipt", Body: in},
		func(tx *store.Tx) (Receipt, error) { return closeReceipt(ctx, tx, in) })
	return rc.seenBy(in.Actor), err
}

func closeReceipt(ctx context.Context, tx *store.Tx, in CloseInput) (Receipt, error) {
	r, err := readReceipt(ctx, tx, in.ReceiptID)
	if err != nil {
		return Receipt{}, err
	}
	if r.status == ReceiptClosed {
		return Receipt{}, floorops.Errorf(floorops.EPRECONDITION, "receipt %d is already closed", r.id)
	}
	lines, err := reconcile(ctx, tx, r.id, r.poID)
	if err != nil {
		return Receipt{}, err
	}
	for i, l := range lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipt_lines (receipt_id, position, line_no, item_id,
				expected_qty, good_qty, damaged_qty, short_qty, over_qty, unexpected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.id, i+1, l.LineNo, l.itemID, l.Expected, l.Good+l.UnexpectedQty, l.Damaged, l.Short, l.Over, l.Unexpected); err != nil {
			return Receipt{}, fmt.Errorf("store reconciliation of receipt %d: %w", r.id, err)
		}
	}
	now := store.FormatTime(tx.Now)
	if _, err := tx.ExecContext(ctx, `UPDATE receipts SET status = 'closed', closed_at = ? WHERE id = ?`, now, r.id); err != nil {
		return Receipt{}, fmt.Errorf("close receipt %d: %w", r.id, err)
	}
	if in.ClosePO {
		if _, err := tx.ExecContext(ctx, `UPDATE purchase_orders SET status = 'closed', updated_at = ? WHERE id = ?`, now, r.poID); err != nil {
			return Receipt{}, fmt.Errorf("close %s: %w", r.poNumber, err)
		}
	}
	rc, err := receiptView(ctx, tx, r.id)
	if err != nil {
		return Receipt{}, err
	}
	ev := &eventv1.ReceiptReconciled{
		ReceiptId: rc.ID, PoNumber: rc.PONumber, AsnNumber: rc.ASNNumber, Vendor: rc.Vendor,
		DockLocationCode: rc.DockCode, PurchaseOrderClosed: in.ClosePO,
	}
	for _, l := range rc.Lines {
		ev.Lines = append(ev.Lines, &eventv1.ReceiptReconciledLine{
			LineNumber: int32(l.LineNo), Sku: l.SKU, ExpectedQuantity: l.Expected,
			ReceivedGoodQuantity: l.Good, ReceivedDamagedQuantity: l.Damaged,
			ShortQuantity: l.Short, OverQuantity: l.Over, Unexpected: l.Unexpected,
			ReceivedUnexpectedQuantity: l.UnexpectedQty,
		})
	}
	if _, err := inventory.Emit(ctx, tx, "receipt_reconciled", &eventv1.Event{
		Payload: &eventv1.Event_ReceiptReconciled{ReceiptReconciled: ev},
	}); err != nil {
		return Receipt{}, err
	}
	return rc, nil
}

// GetReceipt returns a receipt with its reconciliation: as it would be if
// closed now while open, as sent upstream once closed.
func (s *Service) GetReceipt(ctx context.Context, id int64) (Receipt, error) {
	if id <= 0 {
		return Receipt{}, floorops.Invalid("receipt_id", "is required")
	}
	rc, err := receiptView(ctx, s.db.Reader(), id)
	return rc.seenBy(inventory.ActorFrom(ctx)), err
}

// receiptView reads a receipt with its lines and exceptions. A closed
// receipt's lines are the ones stored when it closed; an open receipt's
// are reconciled now.
func receiptView(ctx context.Context, q inventory.Querier, id int64) (Receipt, error) {
	rc := Receipt{ID: id}
	var poID int64
	var started, closed string
	err := q.QueryRowContext(ctx, `SELECT r.po_id, p.po_number, COALESCE(a.asn_number, ''), p.vendor, l.code, r.status, r.blind,
			r.user_badge, r.created_at, r.closed_at
		FROM receipts r JOIN purchase_orders p ON p.id = r.po_id JOIN locations l ON l.id = r.dock_location_id
		LEFT JOIN asns a ON a.id = r.asn_id WHERE r.id = ?`, id).
		Scan(&poID, &rc.PONumber, &rc.ASNNumber, &rc.Vendor, &rc.DockCode, &rc.Status, &rc.Blind, &rc.StartedBy, &started, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return rc, floorops.Errorf(floorops.ENOTFOUND, "receipt %d not found", id)
	}
	if err != nil {
		return rc, fmt.Errorf("read receipt %d: %w", id, err)
	}
	if rc.StartedAt, err = store.ParseTime(started); err != nil {
		return rc, err
	}
	if rc.ClosedAt, err = store.ParseTimeOrZero(closed); err != nil {
		return rc, err
	}
	var lines []reconciledLine
	if rc.Status == ReceiptClosed {
		lines, err = storedLines(ctx, q, id)
	} else {
		lines, err = reconcile(ctx, q, id, poID)
	}
	if err != nil {
		return rc, err
	}
	for _, l := range lines {
		rc.Lines = append(rc.Lines, l.ReceiptLine)
		rc.Received += l.Good + l.Damaged + l.UnexpectedQty
	}
	rc.Exceptions, err = receiptExceptions(ctx, q, id)
	return rc, err
}

// reconciledLine is a receipt line with the item it is about.
type reconciledLine struct {
	ReceiptLine
	itemID int64
}

// reconcile works out a receipt's lines from its scans: per PO line,
// expected (the ordered quantity less the net received by the PO's other
// receipts that are closed, that is closed before this one), good,
// damaged, short and over; then one line per SKU not on the PO, its sound
// units unexpected (never good) and all of them over. Closed
// receipts take no scans, so what they brought no longer changes.
func reconcile(ctx context.Context, q inventory.Querier, id, poID int64) ([]reconciledLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT pl.line_no, pl.item_id, i.sku, pl.ordered_qty,
			COALESCE(SUM(CASE WHEN s.receipt_id <> ?1 AND r.status = 'closed' THEN s.qty END), 0),
			COALESCE(SUM(CASE WHEN s.receipt_id = ?1 AND s.condition = 'good' THEN s.qty END), 0),
			COALESCE(SUM(CASE WHEN s.receipt_id = ?1 AND s.condition = 'damaged' THEN s.qty END), 0)
		FROM po_lines pl JOIN items i ON i.id = pl.item_id
		LEFT JOIN receipt_scans s ON s.po_line_id = pl.id LEFT JOIN receipts r ON r.id = s.receipt_id
		WHERE pl.po_id = ?2 GROUP BY pl.id ORDER BY pl.line_no`, id, poID)
	if err != nil {
		return nil, fmt.Errorf("reconcile receipt %d: %w", id, err)
	}
	var out []reconciledLine
	for rows.Next() {
		var l reconciledLine
		var ordered, closedBefore int64
		if err := rows.Scan(&l.LineNo, &l.itemID, &l.SKU, &ordered, &closedBefore, &l.Good, &l.Damaged); err != nil {
			rows.Close()
			return nil, err
		}
		l.Expected = max(ordered-closedBefore, 0)
		got := l.Good + l.Damaged
		l.Short, l.Over = max(l.Expected-got, 0), max(got-l.Expected, 0)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT s.item_id, i.sku,
			COALESCE(SUM(CASE WHEN s.condition = 'good' THEN s.qty END), 0),
			COALESCE(SUM(CASE WHEN s.condition = 'damaged' THEN s.qty END), 0)
		FROM receipt_scans s JOIN items i ON i.id = s.item_id
		WHERE s.receipt_id = ? AND s.po_line_id IS NULL GROUP BY i.sku HAVING SUM(s.qty) <> 0 ORDER BY i.sku`, id)
	if err != nil {
		return nil, fmt.Errorf("reconcile unexpected items of receipt %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		l := reconciledLine{ReceiptLine: ReceiptLine{Unexpected: true}}
		if err := rows.Scan(&l.itemID, &l.SKU, &l.UnexpectedQty, &l.Damaged); err != nil {
			return nil, err
		}
		l.Over = l.UnexpectedQty + l.Damaged
		out = append(out, l)
	}
	return out, rows.Err()
}

// storedLines reads the reconciliation stored when a receipt closed.
func storedLines(ctx context.Context, q inventory.Querier, id int64) ([]reconciledLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT rl.line_no, rl.item_id, i.sku, rl.expected_qty, rl.good_qty, rl.damaged_qty,
			rl.short_qty, rl.over_qty, rl.unexpected
		FROM receipt_lines rl JOIN items i ON i.id = rl.item_id WHERE rl.receipt_id = ? ORDER BY rl.position`, id)
	if err != nil {
		return nil, fmt.Errorf("read reconciliation of receipt %d: %w", id, err)
	}
	defer rows.Close()
	var out []reconciledLine
	for rows.Next() {
		var l reconciledLine
		if err := rows.Scan(&l.LineNo, &l.itemID, &l.SKU, &l.Expected, &l.Good, &l.Damaged, &l.Short, &l.Over, &l.Unexpected); err != nil {
			return nil, err
		}
		if l.Unexpected {
			// good_qty holds the sound units of the line; on a SKU not on
			// the PO they are unexpected, not good.
			l.Good, l.UnexpectedQty = 0, l.Good
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// receiptExceptions lists what differed from the PO, in scan order: for
// every scan still standing, an unexpected item, damage and a lead's
// override; for every undo, the undo with its reason.
func receiptExceptions(ctx context.Context, q inventory.Querier, id int64) ([]ReceiptException, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.sku, s.qty, s.po_line_id IS NULL, s.condition, s.override_reason, s.undo_reason, s.user_badge
		FROM receipt_scans s JOIN items i ON i.id = s.item_id
		WHERE s.receipt_id = ? AND (s.qty < 0 OR `+standingScan+`)
		ORDER BY s.id`, id)
	if err != nil {
		return nil, fmt.Errorf("read exceptions of receipt %d: %w", id, err)
	}
	defer rows.Close()
	var out []ReceiptException
	for rows.Next() {
		var sku, cond, override, undo, badge string
		var qty int64
		var unexpected bool
		if err := rows.Scan(&sku, &qty, &unexpected, &cond, &override, &undo, &badge); err != nil {
			return nil, err
		}
		add := func(kind, detail string, qty int64) {
			out = append(out, ReceiptException{Kind: kind, SKU: sku, Qty: qty, Detail: detail, UserBadge: badge})
		}
		if qty < 0 {
			add(inventory.ExceptionReceiptUndo, undo, -qty)
			continue
		}
		if unexpected {
			add(inventory.ExceptionUnexpectedItem, "not on the PO; held in quarantine", qty)
		}
		if Condition(cond) == Damaged {
			add(inventory.ExceptionDamagedReceived, "held in quarantine", qty)
		}
		if override != "" {
			add(inventory.ExceptionReceiptOverage, override, qty)
		}
	}
	return out, rows.Err()
}

// ReceiptFilter narrows ListReceipts.
type ReceiptFilter struct {
	PONumber string
	Status   ReceiptStatus // "" for any
}

// ListReceipts returns up to limit receipts, newest first, with their
// progress, and the token for the next page.
func (s *Service) ListReceipts(ctx context.Context, f ReceiptFilter, limit int, pageToken string) ([]Receipt, string, error) {
	po := scan.Code(f.PONumber)
	page, before, err := store.NewestFirst("receipts|"+po+"|"+string(f.Status), limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT r.id FROM receipts r JOIN purchase_orders p ON p.id = r.po_id
		WHERE r.id < ? AND (? = '' OR p.po_number = ?) AND (? = '' OR r.status = ?) ORDER BY r.id DESC LIMIT ?`,
		before, po, po, string(f.Status), string(f.Status), page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list receipts: %w", err)
	}
	viewer := inventory.ActorFrom(ctx)
	return store.PageOfViews(page, rows, store.IDKey, func(id int64) (Receipt, error) {
		rc, err := receiptView(ctx, q, id)
		return rc.seenBy(viewer), err
	})
}
