package picking

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

// task is a pick line with everything a confirmation checks.
type task struct {
	id, listID, orderID, lineID, itemID, locationID, shipID int64
	allocID                                                 int64
	orderRef, locCode, checkCode, sku, lot, expiry, lpn     string
	tote, assignedTo                                        string
	lineNumber                                              int
	lotTracked                                              bool
	qty, picked, short                                      int64
	state                                                   LineState
	listState                                               ListState
	orderState                                              OrderState
}

func (t task) remaining() int64 { return t.qty - t.picked - t.short }

func (t task) key() inventory.StockKey {
	return inventory.StockKey{ItemID: t.itemID, LocationID: t.locationID, Lot: t.lot, Expiry: t.expiry, LPN: t.lpn}
}

func loadTask(ctx context.Context, tx *store.Tx, listID, lineID int64) (task, error) {
	var t task
	err := tx.QueryRowContext(ctx, `SELECT t.id, t.list_id, t.order_id, t.line_id, t.item_id, t.location_id, pl.ship_location_id,
			COALESCE(t.allocation_id, 0), o.order_ref, l.code, l.check_code, i.sku, t.lot, t.expiry, t.lpn, plo.tote, pl.assigned_to,
			ol.line_number, i.lot_tracked, t.qty, t.picked_qty, t.short_qty, t.state, pl.state, o.state
		FROM pick_tasks t JOIN pick_lists pl ON pl.id = t.list_id JOIN pick_orders o ON o.id = t.order_id
		JOIN pick_list_orders plo ON plo.order_id = t.order_id JOIN pick_order_lines ol ON ol.id = t.line_id
		JOIN locations l ON l.id = t.location_id JOIN items i ON i.id = t.item_id
		WHERE t.id = ? AND t.list_id = ?`, lineID, listID).
		Scan(&t.id, &t.listID, &t.orderID, &t.lineID, &t.itemID, &t.locationID, &t.shipID, &t.allocID, &t.orderRef, &t.locCode,
			&t.checkCode, &t.sku, &t.lot, &t.expiry, &t.lpn, &t.tote, &t.assignedTo, &t.lineNumber, &t.lotTracked,
			&t.qty, &t.picked, &t.short, &t.state, &t.listState, &t.orderState)
	if errors.Is(err, sql.ErrNoRows) {
		return t, floorops.Errorf(floorops.ENOTFOUND, "line %d is not on pick list %d", lineID, listID)
	}
	if err != nil {
		return t, fmt.Errorf("read pick line %d: %w", lineID, err)
	}
	return t, nil
}

// workable refuses a line the associate may not pick now.
func (t task) workable(a inventory.Actor) error {
	switch {
	case t.listState == ListOpen:
		return floorops.Errorf(floorops.EPRECONDITION, "pick list %d is not started: start it with your totes first", t.listID)
	case t.listState == ListCompleted:
		return floorops.Errorf(floorops.EPRECONDITION, "pick list %d is already completed", t.listID)
	case t.assignedTo != a.Badge:
		return floorops.Errorf(floorops.EPRECONDITION, "pick list %d is assigned to %s", t.listID, t.assignedTo)
	case t.orderState == OrderCancelled:
		return floorops.Errorf(floorops.EPRECONDITION, "order %s was cancelled: do not pick it", t.orderRef)
	case t.state != LineOpen:
		return floorops.Errorf(floorops.EPRECONDITION, "line %d is already %s", t.id, t.state)
	}
	return nil
}

// refusal is a pick refused because of what the associate scanned. The
// refusal changes no stock, so its transaction rolls back; the scan is then
// recorded as a rejected-scan exception in a transaction of its own, because
// wrong scans at a location are what make its record suspect. The exception
// carries the request id, so a handheld retrying the refused request does
// not count the same wrong scan twice.
type refusal struct {
	err *floorops.Error
	exc inventory.Exception
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

func (t task) refuse(a inventory.Actor, e *floorops.Error) *refusal {
	return &refusal{err: e, exc: inventory.Exception{Kind: inventory.ExceptionRejectedScan, LocationID: t.locationID, ItemID: t.itemID,
		Ref: t.orderRef, Detail: e.Message, Actor: a}}
}

// recordRefusal stores the exception of a refused scan, once per request
// id, and returns the refusal's error; other errors pass through.
func (s *Service) recordRefusal(ctx context.Context, requestID string, err error) error {
	var r *refusal
	if !errors.As(err, &r) {
		return err
	}
	exc := r.exc
	exc.RequestID = requestID
	if werr := s.db.Write(ctx, func(tx *store.Tx) error { return inventory.RecordException(ctx, tx, exc) }); werr != nil {
		return werr
	}
	return r.err
}

// verifyLocation checks the associate is at the line's location: its label,
// or its 2-digit check code typed when the label is damaged
// (inventory.VerifyLocationScan, the one rule for it). A scan that is not
// the line's location is a refusal.
func (t task) verifyLocation(ctx context.Context, q inventory.Querier, p *scan.Parser, a inventory.Actor, field, raw string) error {
	at := inventory.Location{ID: t.locationID, Code: t.locCode, CheckCode: t.checkCode}
	_, err := inventory.VerifyLocationScan(ctx, q, p, field, raw, &at)
	var e *floorops.Error
	if errors.As(err, &e) && e.Code == floorops.EINVALID {
		return t.refuse(a, e)
	}
	return err
}

// verifyItem checks the scanned barcode is the line's item and, for lot
// tracked items, that the GS1 label carries the line's lot (and expiry). It
// returns the eaches in one pack of the scanned GTIN: 1 for the each
// barcode, the case quantity for a case barcode.
func (t task) verifyItem(ctx context.Context, q inventory.Querier, p *scan.Parser, a inventory.Actor, field, raw string) (int64, error) {
	if scan.Code(raw) == t.sku {
		// An item with no barcode at all is confirmed by typing its SKU.
		it, err := inventory.ItemBySKU(ctx, q, t.sku)
		if err != nil {
			return 0, err
		}
		switch {
		case len(it.GTINs) > 0:
			return 0, t.refuse(a, floorops.Invalid(field, "%s has a barcode: scan it (a typed SKU is only for items without one)", t.sku))
		case t.lotTracked:
			return 0, t.refuse(a, floorops.Invalid(field, "%s is lot tracked: scan a GS1 label showing lot %s", t.sku, t.lot))
		}
		return 1, nil
	}
	sc, err := p.Parse(raw)
	if err != nil {
		return 0, t.refuse(a, floorops.Invalid(field, "%v: scan the item's barcode", err))
	}
	if (sc.Kind != scan.KindGTIN && sc.Kind != scan.KindGS1) || sc.GTIN == "" {
		return 0, t.refuse(a, floorops.Invalid(field, "scanned a %s, not an item barcode: scan %s", sc.Kind, t.sku))
	}
	it, pack, err := inventory.ItemByGTIN(ctx, q, sc.GTIN)
	if floorops.IsCode(err, floorops.ENOTFOUND) {
		return 0, t.refuse(a, floorops.Errorf(floorops.EPRECONDITION, "wrong item: GTIN %s is not an item at this node, the line is %s", sc.GTIN, t.sku))
	}
	if err != nil {
		return 0, err
	}
	if it.ID != t.itemID {
		return 0, t.refuse(a, floorops.Errorf(floorops.EPRECONDITION, "wrong item: you scanned %s, the line is %s", it.SKU, t.sku))
	}
	if t.lotTracked && sc.Lot == "" {
		return 0, t.refuse(a, floorops.Invalid(field, "%s is lot tracked: scan the GS1 label showing lot %s", t.sku, t.lot))
	}
	if sc.Lot != "" && (t.lotTracked || t.lot != "") && sc.Lot != t.lot {
		return 0, t.refuse(a, floorops.Errorf(floorops.EPRECONDITION, "wrong lot: you scanned lot %s, the line is lot %s", sc.Lot, t.lot))
	}
	if !sc.Expiry.IsZero() && t.expiry != "" && sc.Expiry.String() != t.expiry {
		return 0, t.refuse(a, floorops.Errorf(floorops.EPRECONDITION, "wrong lot: the label expires %s, the line's lot expires %s", sc.Expiry, t.expiry))
	}
	return max(pack, 1), nil
}

// ConfirmInput is an associate confirming units picked from a line. Qty
// counts packs of the scanned GTIN: eaches for the each barcode, cases for
// a case barcode (2 scanned on a 12-pack case GTIN picks 24 eaches).
type ConfirmInput struct {
	ListID       int64           `json:"pick_list_id" validate:"gt=0"`
	LineID       int64           `json:"line_id" validate:"gt=0"`
	LocationScan string          `json:"location_scan" validate:"required,max=128"`
	ItemScan     string          `json:"item_scan" validate:"required,max=256"`
	Qty          int64           `json:"quantity" validate:"gt=0,lte=1000000"`
	Actor        inventory.Actor `json:"actor"`
}

// Confirmation is a line after a pick and the pick's ledger movement.
type Confirmation struct {
	Line     Line               `json:"line"`
	Movement inventory.Movement `json:"movement"`
}

// ConfirmPick records units picked from a line into its tote: the units
// leave the bin in the ledger at once (ATS and events follow) and their
// allocation is released in the same transaction. The location and item
// scans must match the line and the eaches picked (quantity times the
// scanned GTIN's pack) must not pass what is left; otherwise the pick is
// refused and the scan recorded as an exception. A retry with the same
// request id picks once, and records a refused scan once.
func (s *Service) ConfirmPick(ctx context.Context, requestID string, in ConfirmInput) (Confirmation, error) {
	if err := floorops.Validate(in); err != nil {
		return Confirmation{}, err
	}
	c, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "ConfirmPick", Body: in},
		func(tx *store.Tx) (Confirmation, error) { return confirmPick(ctx, tx, s.scan, requestID, in) })
	return c, s.recordRefusal(ctx, requestID, err)
}

func confirmPick(ctx context.Context, tx *store.Tx, p *scan.Parser, requestID string, in ConfirmInput) (Confirmation, error) {
	t, err := loadTask(ctx, tx, in.ListID, in.LineID)
	if err != nil {
		return Confirmation{}, err
	}
	if err := t.workable(in.Actor); err != nil {
		return Confirmation{}, err
	}
	if err := t.verifyLocation(ctx, tx, p, in.Actor, "location_scan", in.LocationScan); err != nil {
		return Confirmation{}, err
	}
	pack, err := t.verifyItem(ctx, tx, p, in.Actor, "item_scan", in.ItemScan)
	if err != nil {
		return Confirmation{}, err
	}
	units := in.Qty * pack
	if units > t.remaining() {
		return Confirmation{}, t.refuse(in.Actor, floorops.Errorf(floorops.EPRECONDITION,
			"over-pick: the line needs %d more of %s, not %d (%d of %d)", t.remaining(), t.sku, units, in.Qty, pack))
	}
	mv, err := pick(ctx, tx, t, units, requestID, in.Actor)
	if err != nil {
		return Confirmation{}, err
	}
	l, err := loadLine(ctx, tx, t.id)
	return Confirmation{Line: l, Movement: mv}, err
}

// pick moves qty units of the line from its bin onto its tote at the list's
// ship lane, releases that much of the allocation, and reports the pick. A
// line picked in full lets go of its allocation id with the allocation.
func pick(ctx context.Context, tx *store.Tx, t task, qty int64, requestID string, a inventory.Actor) (inventory.Movement, error) {
	if err := inventory.ReleaseAllocation(ctx, tx, t.allocID, qty); err != nil {
		return inventory.Movement{}, err
	}
	mv, err := inventory.Record(ctx, tx, inventory.Move{
		Kind: inventory.KindPick, ItemID: t.itemID, Lot: t.lot, Expiry: t.expiry,
		From: t.locationID, FromLPN: t.lpn, To: t.shipID, ToLPN: t.tote,
		Qty: qty, Ref: t.orderRef, Actor: a, RequestID: requestID,
		Republish: true, // the pick released its allocation too
	})
	if err != nil {
		return inventory.Movement{}, err
	}
	state := LineOpen
	if t.picked+qty == t.qty {
		state = LinePicked
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_tasks SET picked_qty = picked_qty + ?, state = ?,
			allocation_id = CASE WHEN ? = 'open' THEN allocation_id END, updated_at = ? WHERE id = ?`,
		qty, string(state), string(state), store.FormatTime(tx.Now), t.id); err != nil {
		return inventory.Movement{}, fmt.Errorf("record pick: %w", err)
	}
	if _, err := inventory.Emit(ctx, tx, "picked", &eventv1.Event{Payload: &eventv1.Event_Picked{Picked: &eventv1.Picked{
		OrderId: t.orderRef, LineNumber: int32(t.lineNumber), Sku: t.sku, Lot: t.lot, Expiry: t.expiry,
		LocationCode: t.locCode, Quantity: qty, Tote: t.tote, MovementId: mv.ID, PickListId: t.listID,
	}}}); err != nil {
		return inventory.Movement{}, err
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM balances WHERE location_id = ?`, t.locationID).Scan(&left); err != nil {
		return inventory.Movement{}, fmt.Errorf("read location fill: %w", err)
	}
	if left == 0 {
		if err := inventory.RecordException(ctx, tx, inventory.Exception{Kind: inventory.ExceptionLocationEmptied,
			LocationID: t.locationID, ItemID: t.itemID, Ref: t.orderRef, Detail: "a pick emptied the location", Actor: a,
			RequestID: requestID}); err != nil {
			return inventory.Movement{}, err
		}
	}
	return mv, nil
}

// ShortInput is an associate reporting a bin that holds fewer units than
// the line asks for: what they found (possibly nothing) and why. Found
// counts packs of the scanned GTIN, like ConfirmInput.Qty.
type ShortInput struct {
	ListID       int64           `json:"pick_list_id" validate:"gt=0"`
	LineID       int64           `json:"line_id" validate:"gt=0"`
	LocationScan string          `json:"location_scan" validate:"required,max=128"`
	ItemScan     string          `json:"item_scan" validate:"max=256"`
	Found        int64           `json:"found_quantity" validate:"gte=0,lte=1000000"`
	Reason       string          `json:"reason" validate:"required,max=64"`
	Actor        inventory.Actor `json:"actor"`
}

// Short is what the node did about a short pick.
type Short struct {
	Line           Line   `json:"line"`
	Reallocated    []Line `json:"reallocated_lines"`
	Backordered    int64  `json:"backordered_quantity"`
	CountRequestID int64  `json:"count_request_id"`
}

// ShortPick closes a line short. The units found are picked; the missing
// ones lose their allocation and are quarantined in place, so channels stop
// selling them at once and the count that follows reconciles them. The
// location is queued for a triggered count, which also keeps further
// allocations away from it, and the remainder is allocated from other
// locations as new lines on the same list — or backordered and reported.
func (s *Service) ShortPick(ctx context.Context, requestID string, in ShortInput) (Short, error) {
	in.Reason = strings.ToLower(strings.TrimSpace(in.Reason))
	if err := floorops.Validate(in); err != nil {
		return Short{}, err
	}
	if in.Found > 0 && strings.TrimSpace(in.ItemScan) == "" {
		return Short{}, floorops.Invalid("item_scan", "is required when found_quantity > 0: scan one of the units found")
	}
	sh, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "ShortPick", Body: in},
		func(tx *store.Tx) (Short, error) { return s.shortPick(ctx, tx, requestID, in) })
	return sh, s.recordRefusal(ctx, requestID, err)
}

func (s *Service) shortPick(ctx context.Context, tx *store.Tx, requestID string, in ShortInput) (Short, error) {
	p := s.scan
	t, err := loadTask(ctx, tx, in.ListID, in.LineID)
	if err != nil {
		return Short{}, err
	}
	if err := t.workable(in.Actor); err != nil {
		return Short{}, err
	}
	if err := t.verifyLocation(ctx, tx, p, in.Actor, "location_scan", in.LocationScan); err != nil {
		return Short{}, err
	}
	expected := t.remaining()
	covers := func(found int64) error {
		return floorops.Invalid("found_quantity", "%d covers the line's %d: confirm the pick instead", found, expected)
	}
	if in.Found >= expected {
		return Short{}, covers(in.Found)
	}
	var found int64 // eaches: packs of the scanned GTIN times its pack
	if in.Found == 0 && strings.TrimSpace(in.ItemScan) != "" {
		// Nothing found, but a scan given: it must still be the line's
		// item, or the associate is at the wrong line.
		if _, err := t.verifyItem(ctx, tx, p, in.Actor, "item_scan", in.ItemScan); err != nil {
			return Short{}, err
		}
	}
	if in.Found > 0 {
		pack, err := t.verifyItem(ctx, tx, p, in.Actor, "item_scan", in.ItemScan)
		if err != nil {
			return Short{}, err
		}
		if found = in.Found * pack; found >= expected {
			return Short{}, covers(found)
		}
		if _, err := pick(ctx, tx, t, found, requestID, in.Actor); err != nil {
			return Short{}, err
		}
		t.picked += found
	}
	missing := expected - found
	if err := inventory.ReleaseAllocation(ctx, tx, t.allocID, missing); err != nil {
		return Short{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_tasks SET short_qty = short_qty + ?, state = 'short', allocation_id = NULL, updated_at = ? WHERE id = ?`,
		missing, store.FormatTime(tx.Now), t.id); err != nil {
		return Short{}, fmt.Errorf("record short: %w", err)
	}
	actor := in.Actor
	if err := inventory.RecordException(ctx, tx, inventory.Exception{Kind: inventory.ExceptionShortPick, LocationID: t.locationID,
		ItemID: t.itemID, Ref: t.orderRef, Actor: actor, RequestID: requestID,
		Detail: fmt.Sprintf("expected %d of %s, found %d: %s", expected, t.sku, found, in.Reason)}); err != nil {
		return Short{}, err
	}
	countID, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: t.locationID, ItemID: t.itemID,
		Reason: inventory.ExceptionShortPick, Ref: t.orderRef, Actor: actor})
	if err != nil {
		return Short{}, err
	}
	if err := s.hooks.CountRequested(ctx, tx, t.locationID, countID); err != nil {
		return Short{}, err
	}
	// Quarantine the missing units, but never units other orders still hold
	// allocations on: those orders' pickers will report what they find.
	free, err := inventory.FreeToAllocate(ctx, tx, t.key())
	if err != nil {
		return Short{}, err
	}
	if hold := min(missing, free); hold > 0 {
		if _, err := inventory.Record(ctx, tx, inventory.Move{
			Kind: inventory.KindStatus, ItemID: t.itemID, Lot: t.lot, Expiry: t.expiry,
			From: t.locationID, To: t.locationID, FromStatus: inventory.Available, ToStatus: inventory.Quarantined,
			FromLPN: t.lpn, ToLPN: t.lpn, Qty: hold, Reason: "short-pick", Ref: t.orderRef, Actor: actor, RequestID: requestID,
		}); err != nil {
			return Short{}, err
		}
	}
	var fefo bool
	if err := tx.QueryRowContext(ctx, `SELECT expiry_tracked FROM items WHERE id = ?`, t.itemID).Scan(&fefo); err != nil {
		return Short{}, fmt.Errorf("read item: %w", err)
	}
	alloc := newAllocator(tx)
	got, taskIDs, err := alloc.allocate(ctx, lineRef{orderID: t.orderID, lineID: t.lineID, itemID: t.itemID, expiryTracked: fefo,
		ref: fmt.Sprintf("%s/%d", t.orderRef, t.lineNumber)}, missing, t.listID)
	if err != nil {
		return Short{}, err
	}
	res := Short{CountRequestID: countID, Backordered: missing - got}
	if res.Backordered > 0 {
		var total int64
		if err := tx.QueryRowContext(ctx, `UPDATE pick_order_lines SET backordered_qty = backordered_qty + ? WHERE id = ? RETURNING backordered_qty`,
			res.Backordered, t.lineID).Scan(&total); err != nil {
			return Short{}, fmt.Errorf("backorder line: %w", err)
		}
		line := OrderLine{LineNumber: t.lineNumber, SKU: t.sku, Backordered: total}
		if err := emitBackordered(ctx, tx, t.orderRef, "short_pick", []OrderLine{line}, []int64{res.Backordered}); err != nil {
			return Short{}, err
		}
	}
	if _, err := inventory.Emit(ctx, tx, "short_picked", &eventv1.Event{Payload: &eventv1.Event_ShortPicked{ShortPicked: &eventv1.ShortPicked{
		OrderId: t.orderRef, LineNumber: int32(t.lineNumber), Sku: t.sku, LocationCode: t.locCode,
		ExpectedQuantity: expected, FoundQuantity: found, Reason: in.Reason,
		ReallocatedQuantity: got, BackorderedQuantity: res.Backordered, CountRequestId: countID,
	}}}); err != nil {
		return Short{}, err
	}
	if err := inventory.EmitAvailability(ctx, tx, t.itemID); err != nil {
		return Short{}, err
	}
	if res.Line, err = loadLine(ctx, tx, t.id); err != nil {
		return Short{}, err
	}
	for _, id := range taskIDs {
		l, err := loadLine(ctx, tx, id)
		if err != nil {
			return Short{}, err
		}
		res.Reallocated = append(res.Reallocated, l)
	}
	return res, nil
}
