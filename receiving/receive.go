package receiving

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// ScanInput is one scan at the dock. Qty is how many of what was scanned:
// packs of a GTIN (a case GTIN of 12 keyed as 5 receives 60), or 1 for a
// pallet or carton. Lot and Expiry are typed by the associate when the
// label carries none.
//
// OverrideReason is a lead's reason to receive beyond tolerance. It is
// used only when the scan needs it and ignored otherwise, so a reason
// given in advance never stands in the way of a scan within tolerance.
// A scan beyond tolerance with a reason from someone who may not override
// (MayOverrideOverReceipt) is EPERMISSION.
//
// MayOverride is not the caller's to set: ReceiveScan sets it from
// Actor.Role. It stays in the request because its JSON is part of what a
// retry is recognised by (a request stored before the service decided it
// must hash the same).
type ScanInput struct {
	ReceiptID      int64           `json:"receipt_id" validate:"gt=0"`
	Raw            string          `json:"raw_scan" validate:"required,max=256"`
	Qty            int64           `json:"quantity" validate:"gt=0,lte=100000"`
	Condition      Condition       `json:"condition" validate:"omitempty,oneof=good damaged"`
	Lot            string          `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry         string          `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	OverrideReason string          `json:"override_reason" validate:"max=128"`
	MayOverride    bool            `json:"may_override"`
	ConfirmPallet  bool            `json:"confirm_pallet"`
	Actor          inventory.Actor `json:"actor"`
}

// MayOverrideOverReceipt reports whether a may receive beyond a PO line's
// tolerance, with a reason: a lead or admin, who answers for the overage
// with the vendor. An associate's over-receipt waits for a lead.
func MayOverrideOverReceipt(a inventory.Actor) bool {
	return a.Role == inventory.Lead || a.Role == inventory.Admin
}

// ScanResult is what a scan received. A pallet or carton scanned without
// ConfirmPallet receives nothing: ConfirmationRequired is set and Contents
// says what the ASN puts on it (or, for a pallet label no ASN lists, the
// label's GTIN and count), and Blind whether the receipt is blind, so
// ReceiveScan hides those quantities from whoever may not see them
// (SeesExpected).
type ScanResult struct {
	Received             []Received `json:"received"`
	ConfirmationRequired bool       `json:"confirmation_required"`
	Contents             []Content  `json:"container_contents"`
	Blind                bool       `json:"blind_receiving"`
}

// ReceiveScan receives one scan into the receipt's dock location, all in
// one transaction: the ledger movement, the receipt line, any exception
// and the Hooks.Staged hand-off. A retried request id receives once. A dock
// blocked since the receipt started takes no scans (EPRECONDITION).
//
// A GTIN receives its pack quantity times Qty (times the label's count,
// AI 30/37, when present); lot and expiry come from the GS1 label, else
// from the request, and are required when the item is tracked by them; a
// typed lot or expiry that contradicts the label is EINVALID, and a past
// expiry is refused. What an associate typed is used or refused, never
// dropped: a typed lot (expiry) for an item not tracked by lot (expiry),
// or on a whole ASN container (whose ASN says what it holds), is EINVALID.
//
// Every pallet follows one flow: scanned without ConfirmPallet, it shows
// what it holds and receives nothing; scanned with it, it is received
// whole, once. An SSCC or LPN of an ASN container on this PO is received
// on its own license plate, whether scanned plain or on a GS1 pallet label
// that also carries a GTIN. A pallet label whose SSCC no ASN lists is
// received by its GTIN and count, with the SSCC as the units' license
// plate. Either way an SSCC already received (and not undone) or already
// holding stock is refused, at the first scan as at the confirm.
// Units beyond a line's tolerance are refused unless a lead overrides them
// (see ScanInput); damaged units and items not on the PO go to quarantine
// with an exception.
//
// Who may override and who sees what a pallet holds on a blind receipt is
// decided from in.Actor (MayOverrideOverReceipt, SeesExpected).
func (s *Service) ReceiveScan(ctx context.Context, requestID string, in ScanInput) (ScanResult, error) {
	in.MayOverride = MayOverrideOverReceipt(in.Actor)
	res, err := s.receiveScan(ctx, requestID, in)
	return res.seenBy(in.Actor), err
}

func (s *Service) receiveScan(ctx context.Context, requestID string, in ScanInput) (ScanResult, error) {
	in.Lot = strings.TrimSpace(in.Lot)
	in.OverrideReason = strings.TrimSpace(in.OverrideReason)
	if in.Condition == "" {
		in.Condition = Good
	}
	if err := floorops.Validate(in); err != nil {
		return ScanResult{}, err
	}
	sc, err := s.scan.Parse(in.Raw)
	if err != nil {
		return ScanResult{}, floorops.Invalid("raw_scan", "%v", err)
	}
	if err := typedMatchesLabel(in, sc); err != nil {
		return ScanResult{}, err
	}
	if !in.ConfirmPallet {
		code, isContainer, err := containerScan(ctx, s.db.Reader(), sc)
		switch {
		case err != nil:
			return ScanResult{}, err
		case isContainer:
			if err := nothingTypedFor(in, code); err != nil {
				return ScanResult{}, err
			}
			return s.previewContainer(ctx, in.ReceiptID, code)
		case isPalletLabel(sc):
			return s.previewPallet(ctx, in, sc)
		}
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "ReceiveScan", Body: in},
		func(tx *store.Tx) (ScanResult, error) {
			r, err := scannableReceipt(ctx, tx, in.ReceiptID)
			if err != nil {
				return ScanResult{}, err
			}
			code, isContainer, err := containerScan(ctx, tx, sc)
			switch {
			case err != nil:
				return ScanResult{}, err
			case isContainer && !in.ConfirmPallet:
				// Its ASN arrived between the look above and now.
				return ScanResult{}, floorops.Errorf(floorops.EPRECONDITION,
					"%s has just been listed on an ASN: scan it again to see what it holds", code)
			}
			rs := &receiver{svc: s, tx: tx, r: r, in: in, requestID: requestID}
			if isContainer {
				if err := nothingTypedFor(in, code); err != nil {
					return ScanResult{}, err
				}
				return rs.container(ctx, code)
			}
			return rs.gtin(ctx, sc)
		})
}

// typedMatchesLabel refuses a typed lot or expiry that contradicts the GS1
// label scanned: the label is what the units carry, so a different typed
// value is a mix-up (the wrong case, a stale entry on the handheld), not a
// correction. Typing what the label says is fine.
func typedMatchesLabel(in ScanInput, sc scan.Scan) error {
	if sc.Lot != "" && in.Lot != "" && in.Lot != sc.Lot {
		return floorops.Invalid("lot", "the label says lot %s, not %s: clear the typed lot or scan the label of the units you hold", sc.Lot, in.Lot)
	}
	if e := sc.Expiry.String(); e != "" && in.Expiry != "" && in.Expiry != e {
		return floorops.Invalid("expiry", "the label says expiry %s, not %s: clear the typed expiry or scan the label of the units you hold", e, in.Expiry)
	}
	return nil
}

// nothingTypedFor refuses a lot or expiry typed on the scan of a whole ASN
// container: what it holds, lots and expiries included, comes from its
// ASN, so a typed value would be silently dropped.
func nothingTypedFor(in ScanInput, code string) error {
	if in.Lot != "" {
		return floorops.Invalid("lot", "%s is received as its ASN lists it, lots included: clear the typed lot", code)
	}
	if in.Expiry != "" {
		return floorops.Invalid("expiry", "%s is received as its ASN lists it, expiries included: clear the typed expiry", code)
	}
	return nil
}

// isPalletLabel reports whether sc is a GS1 pallet label (an SSCC with the
// GTIN of what is on it), received by that GTIN when no ASN lists the SSCC.
func isPalletLabel(sc scan.Scan) bool { return sc.SSCC != "" && sc.GTIN != "" }

// previewPallet answers the first scan of a pallet label no ASN lists, as
// previewContainer does for ASN pallets: what the label says the pallet
// holds, receiving nothing. A pallet already received is refused here, so
// the handheld does not ask to confirm what cannot be received.
func (s *Service) previewPallet(ctx context.Context, in ScanInput, sc scan.Scan) (ScanResult, error) {
	q := s.db.Reader()
	r, err := scannableReceipt(ctx, q, in.ReceiptID)
	if err != nil {
		return ScanResult{}, err
	}
	st, err := gtinStock(ctx, q, in, sc)
	if err != nil {
		return ScanResult{}, err
	}
	if err := palletNotReceived(ctx, q, sc.SSCC); err != nil {
		return ScanResult{}, err
	}
	return ScanResult{ConfirmationRequired: true, Blind: r.blind,
		Contents: []Content{{SKU: st.sku, Qty: st.qty, Lot: st.lot, Expiry: st.expiry}}}, nil
}

// containerScan reports whether sc is received as a whole ASN pallet or
// carton, and its code: an LPN; an SSCC, plain or on a GS1 label without a
// GTIN; or the SSCC of a standard GS1 pallet label (SSCC, GTIN and count)
// when an ASN lists that SSCC, so a pallet is received once whichever of
// its labels is scanned. A pallet label whose SSCC no ASN lists is
// received by its GTIN (see gtin).
func containerScan(ctx context.Context, q inventory.Querier, sc scan.Scan) (string, bool, error) {
	switch {
	case sc.Kind == scan.KindLPN:
		return sc.Code, true, nil
	case sc.SSCC == "":
		return "", false, nil
	case sc.GTIN == "":
		return sc.SSCC, true, nil
	}
	var listed bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM asn_containers WHERE code = ?)`, sc.SSCC).Scan(&listed); err != nil {
		return "", false, fmt.Errorf("look up %s on ASNs: %w", sc.SSCC, err)
	}
	return sc.SSCC, listed, nil
}

// previewContainer answers a container scan without confirmation: what it
// holds (quantities for the handler to hide on a blind receipt), receiving
// nothing.
func (s *Service) previewContainer(ctx context.Context, receiptID int64, code string) (ScanResult, error) {
	q := s.db.Reader()
	r, err := scannableReceipt(ctx, q, receiptID)
	if err != nil {
		return ScanResult{}, err
	}
	c, err := containerFor(ctx, q, r, code)
	if err != nil {
		return ScanResult{}, err
	}
	cts, err := containerContents(ctx, q, c.id)
	if err != nil {
		return ScanResult{}, err
	}
	res := ScanResult{ConfirmationRequired: true, Blind: r.blind}
	for _, ct := range cts {
		res.Contents = append(res.Contents, ct.Content)
	}
	return res, nil
}

// containerFor finds a container that may be received on receipt r.
func containerFor(ctx context.Context, q inventory.Querier, r receiptRow, code string) (container, error) {
	c, err := containerByCode(ctx, q, code)
	switch {
	case err != nil:
		return c, err
	case c.poID != r.poID:
		return c, floorops.Errorf(floorops.EPRECONDITION, "%s is on ASN %s for another PO, not %s", code, c.asnNumber, r.poNumber)
	case c.received:
		return c, floorops.Errorf(floorops.EPRECONDITION, "%s has already been received", code)
	}
	return c, nil
}

// receiver receives the quantities of one scan inside its transaction.
type receiver struct {
	svc       *Service
	tx        *store.Tx
	r         receiptRow
	in        ScanInput
	requestID string
}

func (rs *receiver) gtin(ctx context.Context, sc scan.Scan) (ScanResult, error) {
	st, err := gtinStock(ctx, rs.tx, rs.in, sc)
	if err != nil {
		return ScanResult{}, err
	}
	if isPalletLabel(sc) {
		// A pallet label no ASN lists: its units go on the SSCC as their
		// license plate, so putaway finds them by it, and it is received
		// once.
		if err := palletNotReceived(ctx, rs.tx, sc.SSCC); err != nil {
			return ScanResult{}, err
		}
	}
	got, err := rs.receive(ctx, st)
	if err != nil {
		return ScanResult{}, err
	}
	return ScanResult{Received: []Received{got}}, nil
}

// gtinStock works out what a GTIN scan brings: the item, its pack quantity
// times the keyed quantity (times the label's count), and the lot and
// expiry from the label, else as typed. A lot (expiry) is required for an
// item tracked by it; one typed for an item not tracked by it is refused,
// not dropped. A pallet label (SSCC and GTIN) must be keyed as 1 and puts
// the units on the SSCC.
func gtinStock(ctx context.Context, q inventory.Querier, in ScanInput, sc scan.Scan) (stock, error) {
	if sc.GTIN == "" {
		return stock{}, floorops.Invalid("raw_scan", "scanned a %s; scan the item's barcode, or a pallet or carton from the ASN", sc.Kind)
	}
	if sc.SSCC != "" && in.Qty != 1 {
		return stock{}, floorops.Invalid("quantity", "must be 1 for a pallet label: its SSCC names one pallet")
	}
	item, pack, err := inventory.ItemByGTIN(ctx, q, sc.GTIN)
	if err != nil {
		return stock{}, err
	}
	if err := inventory.LotReadable(&sc, item, "raw_scan"); err != nil {
		return stock{}, err
	}
	packs := in.Qty
	if sc.HasCount {
		if sc.Count <= 0 {
			return stock{}, floorops.Invalid("raw_scan", "the label's count is 0")
		}
		packs *= int64(sc.Count)
	}
	if in.Lot != "" && !item.LotTracked {
		return stock{}, floorops.Invalid("lot", "%s is not lot tracked, so a lot would not be recorded: clear the typed lot", item.SKU)
	}
	if in.Expiry != "" && !item.ExpiryTracked {
		return stock{}, floorops.Invalid("expiry", "%s carries no expiry date, so one would not be recorded: clear the typed expiry", item.SKU)
	}
	lot, expiry := sc.Lot, sc.Expiry.String()
	if lot == "" {
		lot = in.Lot
	}
	if expiry == "" {
		expiry = in.Expiry
	}
	if item.LotTracked && lot == "" {
		return stock{}, floorops.Invalid("lot", "is required: %s is lot tracked and the label carries no lot", item.SKU)
	}
	if item.ExpiryTracked && expiry == "" {
		return stock{}, floorops.Invalid("expiry", "is required: %s carries an expiry date and the label has none", item.SKU)
	}
	return stock{itemID: item.ID, item: &item, sku: item.SKU, qty: pack * packs,
		lot: tracked(item.LotTracked, lot), expiry: tracked(item.ExpiryTracked, expiry), lpn: sc.SSCC}, nil
}

// palletNotReceived refuses an SSCC that has already come into the
// building: a receipt scan on any receipt put units on it and was not
// undone, or stock is on it somewhere.
func palletNotReceived(ctx context.Context, tx inventory.Querier, sscc string) error {
	var receipt int64
	err := tx.QueryRowContext(ctx, `SELECT s.receipt_id FROM receipt_scans s WHERE s.lpn = ? AND s.lpn <> '' AND `+standingScan+` LIMIT 1`, sscc).Scan(&receipt)
	switch {
	case err == nil:
		return floorops.Errorf(floorops.EPRECONDITION, "pallet %s has already been received on receipt %d", sscc, receipt)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("read receipts of pallet %s: %w", sscc, err)
	}
	var at string
	err = tx.QueryRowContext(ctx, `SELECT l.code FROM balances b JOIN locations l ON l.id = b.location_id
		WHERE b.lpn = ? AND b.lpn <> '' LIMIT 1`, sscc).Scan(&at)
	switch {
	case err == nil:
		return floorops.Errorf(floorops.EPRECONDITION, "pallet %s is already in the building, at %s", sscc, at)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("read stock on pallet %s: %w", sscc, err)
	}
	return nil
}

func (rs *receiver) container(ctx context.Context, code string) (ScanResult, error) {
	if rs.in.Qty != 1 {
		return ScanResult{}, floorops.Invalid("quantity", "must be 1 for a pallet or carton")
	}
	c, err := containerFor(ctx, rs.tx, rs.r, code)
	if err != nil {
		return ScanResult{}, err
	}
	cts, err := containerContents(ctx, rs.tx, c.id)
	if err != nil {
		return ScanResult{}, err
	}
	var res ScanResult
	for _, ct := range cts {
		got, err := rs.receive(ctx, stock{itemID: ct.itemID, sku: ct.SKU, qty: ct.Qty, lot: ct.Lot, expiry: ct.Expiry, lpn: code, containerID: c.id})
		if err != nil {
			return ScanResult{}, err
		}
		res.Received = append(res.Received, got)
	}
	return res, nil
}

// stock is one quantity to receive.
type stock struct {
	itemID      int64
	item        *inventory.Item // when read already: the ledger need not read it again
	sku         string
	qty         int64
	lot, expiry string
	lpn         string
	containerID int64
}

// receive puts one quantity into the dock: checks expiry and the PO line's
// tolerance against everything received so far (read in this transaction,
// so two associates racing for the last units cannot both get them),
// records the movement, the receipt row and exceptions, and stages it.
func (rs *receiver) receive(ctx context.Context, st stock) (Received, error) {
	tx, r, in := rs.tx, rs.r, rs.in
	if st.expiry != "" && st.expiry < tx.Now.Format(time.DateOnly) {
		return Received{}, floorops.Errorf(floorops.EPRECONDITION, "%s expired on %s; expired stock is not received", st.sku, st.expiry)
	}
	line, err := lineFor(ctx, tx, r.poID, st.itemID)
	if err != nil {
		return Received{}, err
	}
	got := Received{SKU: st.sku, Qty: st.qty, Lot: st.lot, Expiry: st.expiry, LPN: st.lpn, Condition: in.Condition, Unexpected: line == nil}
	status := inventory.Available
	var reason string
	switch {
	case line == nil:
		status, reason = inventory.Quarantined, "not-on-po"
	case in.Condition == Damaged:
		status, reason = inventory.Quarantined, "damaged"
	}
	got.Quarantined = status == inventory.Quarantined
	var lineID any
	var overage bool
	if line != nil {
		got.LineNo, lineID = line.LineNo, line.id
		if line.Received+st.qty > line.allowed() {
			switch {
			case in.OverrideReason == "":
				return Received{}, rs.overError(line, st.qty)
			case !in.MayOverride:
				return Received{}, floorops.Errorf(floorops.EPERMISSION, "%s: only a lead or admin may override an over-receipt", line.SKU)
			}
			overage = true
		}
	}
	mv, err := inventory.Record(ctx, tx, inventory.Move{
		Kind: inventory.KindReceive, ItemID: st.itemID, Lot: st.lot, Expiry: st.expiry,
		To: r.dockID, ToStatus: status, ToLPN: st.lpn, Qty: st.qty, Reason: reason,
		Ref: receiptRef(r.id), Actor: in.Actor, RequestID: rs.requestID,
		Item: st.item,
	})
	if err != nil {
		return Received{}, err
	}
	got.MovementID = mv.ID
	var containerID any
	if st.containerID != 0 {
		containerID = st.containerID
	}
	override := ""
	if overage {
		override = in.OverrideReason
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO receipt_scans (receipt_id, po_line_id, item_id, container_id, lot, expiry, lpn,
			condition, status, qty, movement_id, override_reason, raw_scan, scan_request, user_badge, device_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.id, lineID, st.itemID, containerID, st.lot, st.expiry, st.lpn, string(in.Condition), string(status), st.qty,
		mv.ID, override, in.Raw, rs.requestID, in.Actor.Badge, in.Actor.Device, store.FormatTime(tx.Now)); err != nil {
		return Received{}, fmt.Errorf("record receipt scan: %w", err)
	}
	if err := rs.exceptions(ctx, st, line == nil, overage); err != nil {
		return Received{}, err
	}
	if err := rs.svc.hooks.Staged(ctx, tx, inventory.StagedStock{
		ItemID: st.itemID, LocationID: r.dockID, Lot: st.lot, Expiry: st.expiry, Status: status,
		LPN: st.lpn, Qty: st.qty, Ref: receiptRef(r.id), Actor: in.Actor,
	}); err != nil {
		return Received{}, err
	}
	return got, nil
}

// overError explains a refused over-receipt. On a blind receipt it does
// not reveal the ordered quantity.
func (rs *receiver) overError(line *poLine, qty int64) error {
	if rs.r.blind {
		return floorops.Errorf(floorops.EPRECONDITION, "%s: %d more is beyond what %s allows; ask a lead to override with a reason",
			line.SKU, qty, rs.r.poNumber)
	}
	return floorops.Errorf(floorops.EPRECONDITION,
		"%s line %d (%s): %d received of %d ordered, %d more would exceed the %d%% tolerance (at most %d); ask a lead to override with a reason",
		rs.r.poNumber, line.LineNo, line.SKU, line.Received, line.Ordered, qty, line.TolerancePct, line.allowed())
}

func (rs *receiver) exceptions(ctx context.Context, st stock, unexpected, overage bool) error {
	in := rs.in
	raise := func(kind, detail string) error {
		return inventory.RecordException(ctx, rs.tx, inventory.Exception{
			Kind: kind, LocationID: rs.r.dockID, ItemID: st.itemID, Ref: receiptRef(rs.r.id),
			Detail: fmt.Sprintf("%d x %s: %s", st.qty, st.sku, detail), Actor: in.Actor,
		})
	}
	if unexpected {
		if err := raise(inventory.ExceptionUnexpectedItem, "not on "+rs.r.poNumber+"; received into quarantine"); err != nil {
			return err
		}
	}
	if in.Condition == Damaged {
		if err := raise(inventory.ExceptionDamagedReceived, "arrived damaged; received into quarantine"); err != nil {
			return err
		}
	}
	if overage {
		return raise(inventory.ExceptionReceiptOverage, "over-receipt allowed: "+in.OverrideReason)
	}
	return nil
}

// lineFor returns the PO line of an item with what is received on it so
// far, or nil when the item is not on the PO.
func lineFor(ctx context.Context, tx *store.Tx, poID, itemID int64) (*poLine, error) {
	l := poLine{itemID: itemID}
	err := tx.QueryRowContext(ctx, `SELECT pl.id, pl.line_no, i.sku, pl.ordered_qty, pl.tolerance_pct,
			pl.received_qty
		FROM po_lines pl JOIN items i ON i.id = pl.item_id WHERE pl.po_id = ? AND pl.item_id = ?`, poID, itemID).
		Scan(&l.id, &l.LineNo, &l.SKU, &l.Ordered, &l.TolerancePct, &l.Received)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read PO line: %w", err)
	}
	return &l, nil
}

// UndoInput undoes the caller's last scan on a receipt, with a reason.
type UndoInput struct {
	ReceiptID int64           `json:"receipt_id" validate:"gt=0"`
	Reason    string          `json:"reason" validate:"required,max=128"`
	Actor     inventory.Actor `json:"actor"`
}

// UndoLastScan reverses the caller's most recent scan on an open receipt
// that is not yet undone: for each quantity it received, a reversing
// movement out of the dock (kind receive, from the dock to outside the
// building), a negative receipt row pointing at the original, and a
// receipt_scan_undo exception; each quantity is handed to Hooks.Unstaged as
// it was handed to Hooks.Staged. Nothing is deleted. Units of one stock are
// interchangeable at the dock, so the undo needs that many of them still
// there and, per Hooks.Unstaged, still waiting on this receipt's putaway
// tasks; when fewer are (the rest were put away or have left the dock),
// the undo is EPRECONDITION and writes nothing.
func (s *Service) UndoLastScan(ctx context.Context, requestID string, in UndoInput) ([]Received, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := floorops.Validate(in); err != nil {
		return nil, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UndoLastScan", Body: in},
		func(tx *store.Tx) ([]Received, error) { return s.undoLastScan(ctx, tx, requestID, in) })
}

func (s *Service) undoLastScan(ctx context.Context, tx *store.Tx, requestID string, in UndoInput) ([]Received, error) {
	r, err := openReceipt(ctx, tx, in.ReceiptID)
	if err != nil {
		return nil, err
	}
	var last string
	err = tx.QueryRowContext(ctx, `SELECT s.scan_request FROM receipt_scans s WHERE s.receipt_id = ? AND s.user_badge = ? AND `+standingScan+`
		ORDER BY s.id DESC LIMIT 1`, r.id, in.Actor.Badge).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, floorops.Errorf(floorops.EPRECONDITION, "you have no scan on receipt %d to undo", r.id)
	}
	if err != nil {
		return nil, fmt.Errorf("find last scan: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.item_id, i.sku, COALESCE(pl.line_no, 0), s.po_line_id, s.container_id,
			s.lot, s.expiry, s.lpn, s.condition, s.status, s.qty
		FROM receipt_scans s JOIN items i ON i.id = s.item_id LEFT JOIN po_lines pl ON pl.id = s.po_line_id
		WHERE s.scan_request = ? AND s.receipt_id = ? AND `+standingScan+` ORDER BY s.id`, last, r.id)
	if err != nil {
		return nil, fmt.Errorf("read last scan: %w", err)
	}
	type scanned struct {
		id, itemID          int64
		lineID, containerID sql.NullInt64
		status              inventory.Status
		got                 Received
	}
	var todo []scanned
	for rows.Next() {
		var sd scanned
		g := &sd.got
		if err := rows.Scan(&sd.id, &sd.itemID, &g.SKU, &g.LineNo, &sd.lineID, &sd.containerID, &g.Lot, &g.Expiry, &g.LPN,
			&g.Condition, &sd.status, &g.Qty); err != nil {
			rows.Close()
			return nil, err
		}
		g.Quarantined, g.Unexpected = sd.status == inventory.Quarantined, !sd.lineID.Valid
		todo = append(todo, sd)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Received, 0, len(todo))
	for _, sd := range todo {
		g := sd.got
		if err := s.hooks.Unstaged(ctx, tx, inventory.StagedStock{
			ItemID: sd.itemID, LocationID: r.dockID, Lot: g.Lot, Expiry: g.Expiry, Status: sd.status,
			LPN: g.LPN, Qty: g.Qty, Ref: receiptRef(r.id), Actor: in.Actor,
		}); err != nil {
			return nil, err
		}
		mv, err := inventory.Record(ctx, tx, inventory.Move{
			Kind: inventory.KindReceive, ItemID: sd.itemID, Lot: g.Lot, Expiry: g.Expiry,
			From: r.dockID, FromStatus: sd.status, FromLPN: g.LPN, Qty: g.Qty, Reason: "undo: " + in.Reason,
			Ref: receiptRef(r.id), Actor: in.Actor, RequestID: requestID,
		})
		if err != nil {
			return nil, err
		}
		g.MovementID = mv.ID
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipt_scans (receipt_id, po_line_id, item_id, container_id, lot, expiry, lpn,
				condition, status, qty, undoes_id, movement_id, undo_reason, scan_request, user_badge, device_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.id, sd.lineID, sd.itemID, sd.containerID, g.Lot, g.Expiry, g.LPN, string(g.Condition), string(sd.status), -g.Qty,
			sd.id, mv.ID, in.Reason, requestID, in.Actor.Badge, in.Actor.Device, store.FormatTime(tx.Now)); err != nil {
			return nil, fmt.Errorf("record undo: %w", err)
		}
		if err := inventory.RecordException(ctx, tx, inventory.Exception{
			Kind: inventory.ExceptionReceiptUndo, LocationID: r.dockID, ItemID: sd.itemID, Ref: receiptRef(r.id),
			Detail: fmt.Sprintf("%d x %s undone: %s", g.Qty, g.SKU, in.Reason), Actor: in.Actor,
		}); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}
