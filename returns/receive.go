package returns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// ReceiveInput is one scan at the returns station: the RMA (empty for an
// unexpected return, optionally with the order it came from), the item's
// barcode or SKU and how many identical units.
type ReceiveInput struct {
	RMANumber    string          `json:"rma_number" validate:"max=32"`
	OrderRef     string          `json:"order_ref" validate:"max=64,nocontrol"`
	Raw          string          `json:"raw_scan" validate:"required,max=256,nocontrol"`
	Qty          int64           `json:"quantity" validate:"gt=0,lte=100000"`
	Lot          string          `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry       string          `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	Serial       string          `json:"serial" validate:"max=64,printascii"`
	LocationScan string          `json:"location_scan" validate:"max=128"`
	Actor        inventory.Actor `json:"actor"`
}

// ReceiveReturn receives returned units into a returns location in
// quarantine status (not sellable until dispositioned), in one
// transaction with the unit, its exceptions and the ReturnReceived event.
// An unknown RMA is ENOTFOUND. More units than authorized or shipped,
// another SKU than authorized and a return with no RMA are received and
// flagged (Unit.Exceptions, and an inventory exception each).
func (s *Service) ReceiveReturn(ctx context.Context, requestID string, in ReceiveInput) (Unit, error) {
	in.RMANumber = scan.Code(in.RMANumber)
	in.OrderRef = strings.TrimSpace(in.OrderRef)
	in.Lot = strings.TrimSpace(in.Lot)
	in.Serial = strings.TrimSpace(in.Serial)
	if err := floorops.Validate(in); err != nil {
		return Unit{}, err
	}
	// A scan that is no barcode may be a SKU typed or printed plain; it
	// is looked up as one (EINVALID on raw_scan when no item has it).
	sc, _ := s.scan.Parse(in.Raw)
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "returns.ReceiveReturn", Body: in},
		func(tx *store.Tx) (Unit, error) { return s.receive(ctx, tx, requestID, in, sc) })
}

func (s *Service) receive(ctx context.Context, tx *store.Tx, requestID string, in ReceiveInput, sc scan.Scan) (Unit, error) {
	loc, err := s.returnsLocation(ctx, tx, in.LocationScan)
	if err != nil {
		return Unit{}, err
	}
	item, qty, lot, expiry, err := scannedItem(ctx, tx, in, sc)
	if err != nil {
		return Unit{}, err
	}
	serial, err := unitSerial(item, qty, in.Serial, sc.Serial)
	if err != nil {
		return Unit{}, err
	}
	var rmaID any
	orderRef, reason := in.OrderRef, ReasonUnexpected
	var flags []string
	flag := func(kind, detail string) error {
		flags = append(flags, kind)
		return inventory.RecordException(ctx, tx, inventory.Exception{Kind: kind, LocationID: loc.ID, ItemID: item.ID,
			Ref: in.RMANumber, Detail: detail, Actor: in.Actor, RequestID: requestID})
	}
	if in.RMANumber != "" {
		h, err := rmaByNumber(ctx, tx, in.RMANumber)
		if err != nil {
			return Unit{}, err
		}
		if in.OrderRef != "" && in.OrderRef != h.orderRef {
			return Unit{}, floorops.Invalid("order_ref", "RMA %s is for order %s, not %s: scan the RMA the units came with", h.number, h.orderRef, in.OrderRef)
		}
		rmaID, orderRef = h.id, h.orderRef
		var authorized, received int64
		err = tx.QueryRowContext(ctx, `SELECT l.qty, l.reason,
			COALESCE((SELECT SUM(u.qty) FROM return_units u WHERE u.rma_id = l.rma_id AND u.item_id = l.item_id), 0)
			FROM rma_lines l WHERE l.rma_id = ? AND l.item_id = ?`, h.id, item.ID).Scan(&authorized, &reason, &received)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			reason = ReasonWrongItem
			if err := flag(ExceptionWrongItem, fmt.Sprintf("%s is not on RMA %s", item.SKU, h.number)); err != nil {
				return Unit{}, err
			}
		case err != nil:
			return Unit{}, fmt.Errorf("returns: read rma line: %w", err)
		case received+qty > authorized:
			if err := flag(ExceptionOverAuthorized, fmt.Sprintf("%d of %s received against %d authorized", received+qty, item.SKU, authorized)); err != nil {
				return Unit{}, err
			}
		}
	} else if err := flag(ExceptionUnexpectedReturn, "returned without an RMA"); err != nil {
		return Unit{}, err
	}
	if orderRef != "" {
		shipped, known, err := s.hooks.Shipped(ctx, tx, orderRef, item.ID)
		if err != nil {
			return Unit{}, err
		}
		var returned int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty), 0) FROM return_units WHERE order_ref = ? AND item_id = ?`,
			orderRef, item.ID).Scan(&returned); err != nil {
			return Unit{}, fmt.Errorf("returns: read returned: %w", err)
		}
		if known && returned+qty > shipped {
			if err := flag(ExceptionOverShipped, fmt.Sprintf("%d of %s returned on order %s, %d shipped", returned+qty, item.SKU, orderRef, shipped)); err != nil {
				return Unit{}, err
			}
		}
	}
	if serial != "" {
		if err := s.checkSerial(ctx, tx, item, serial, flag); err != nil {
			return Unit{}, err
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO return_units
		(rma_id, order_ref, item_id, qty, lot, expiry, serial, location_id, reason, exceptions, expired, received_by, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rmaID, orderRef, item.ID, qty, lot, expiry, serial, loc.ID, reason, strings.Join(flags, ","), ExpiredAt(expiry, tx.Now),
		in.Actor.Badge, store.FormatTime(tx.Now))
	if err != nil {
		return Unit{}, fmt.Errorf("returns: insert unit: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := inventory.Record(ctx, tx, inventory.Move{
		Kind: inventory.KindReturn, ItemID: item.ID, Lot: lot, Expiry: expiry, To: loc.ID,
		FromStatus: inventory.Quarantined, ToStatus: inventory.Quarantined, Qty: qty, Reason: reason,
		Ref: unitRef(id), Actor: in.Actor, RequestID: requestID,
	}); err != nil {
		return Unit{}, err
	}
	u, err := unitByID(ctx, tx, s.hooks, id)
	if err != nil {
		return Unit{}, err
	}
	_, err = inventory.Emit(ctx, tx, "return_received", &eventv1.Event{Payload: &eventv1.Event_ReturnReceived{ReturnReceived: &eventv1.ReturnReceived{
		UnitId: u.ID, RmaNumber: u.RMANumber, OrderRef: u.OrderRef, Sku: u.SKU, Quantity: u.Qty,
		LocationCode: u.LocationCode, Exceptions: u.Exceptions,
	}}})
	return u.Unit, err
}

// returnsLocation is the scanned returns location, or the node's first
// unblocked one when nothing was scanned.
func (s *Service) returnsLocation(ctx context.Context, tx *store.Tx, raw string) (inventory.Location, error) {
	if raw != "" {
		l, err := inventory.VerifyLocationScan(ctx, tx, s.scan, "location_scan", raw, nil)
		if err != nil {
			return l, err
		}
		if l.Type != inventory.LocReturns {
			return l, floorops.Invalid("location_scan", "%s is a %s location, not a returns location", l.Code, l.Type)
		}
		return l, nil
	}
	return firstLocation(ctx, tx, inventory.LocReturns)
}

func firstLocation(ctx context.Context, q inventory.Querier, t inventory.LocationType) (inventory.Location, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT code FROM locations WHERE type = ? AND blocked = 0 ORDER BY code LIMIT 1`, string(t)).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return inventory.Location{}, floorops.Errorf(floorops.EPRECONDITION, "the node has no unblocked %s location", t)
	}
	if err != nil {
		return inventory.Location{}, fmt.Errorf("returns: find %s location: %w", t, err)
	}
	return inventory.LocationByCode(ctx, q, code)
}

// scannedItem is the item a scan names (a GTIN, times its pack, or a SKU
// typed or scanned) with the units, lot and expiry received.
func scannedItem(ctx context.Context, q inventory.Querier, in ReceiveInput, sc scan.Scan) (inventory.Item, int64, string, string, error) {
	var item inventory.Item
	qty := in.Qty
	var err error
	if sc.GTIN != "" {
		var pack int64
		if item, pack, err = inventory.ItemByGTIN(ctx, q, sc.GTIN); err != nil {
			return item, 0, "", "", asInvalid(err, "raw_scan")
		}
		if err := inventory.LotReadable(&sc, item, "raw_scan"); err != nil {
			return item, 0, "", "", err
		}
		qty *= pack
	} else if item, err = inventory.ItemBySKU(ctx, q, scan.Code(in.Raw)); err != nil {
		return item, 0, "", "", asInvalid(err, "raw_scan")
	}
	lot, expiry := in.Lot, in.Expiry
	if sc.Lot != "" {
		lot = sc.Lot
	}
	if e := sc.Expiry.String(); e != "" {
		expiry = e
	}
	if err := inventory.CheckTracking(item, lot, expiry); err != nil {
		return item, 0, "", "", err
	}
	return item, qty, lot, expiry, nil
}

// unitSerial is the serial of units received: the one typed, or the one
// the barcode carries (the two must agree). A serial-tracked item is
// received one unit at a time, each with its serial (EINVALID on serial
// otherwise), so every returned unit keeps its own; an item that is not
// serial tracked takes none (EINVALID on serial).
func unitSerial(item inventory.Item, units int64, typed, scanned string) (string, error) {
	if typed != "" && scanned != "" && typed != scanned {
		return "", floorops.Invalid("serial", "is %s but the barcode scanned carries serial %s", typed, scanned)
	}
	serial := typed
	if serial == "" {
		serial = scanned
	}
	switch {
	case !item.SerialTracked && serial != "":
		// As a lot on an item that is not lot tracked (inventory.CheckTracking):
		// no serial record would ever know it.
		return "", floorops.Invalid("serial", "%s is not serial tracked: leave serial empty", item.SKU)
	case item.SerialTracked && serial == "":
		return "", floorops.Invalid("serial", "is required: %s is serial tracked", item.SKU)
	case item.SerialTracked && units != 1:
		return "", floorops.Invalid("serial", "%s is serial tracked: receive each unit on its own with its serial (%d units, one serial)", item.SKU, units)
	}
	return serial, nil
}

// checkSerial flags a returned serial already returned before (the same
// unit again) or one the node's serial record places in stock (a unit that
// never left): received, never silent.
func (s *Service) checkSerial(ctx context.Context, tx *store.Tx, item inventory.Item, serial string, flag func(kind, detail string) error) error {
	var before int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM return_units WHERE item_id = ? AND serial = ?`, item.ID, serial).Scan(&before); err != nil {
		return fmt.Errorf("returns: read serial: %w", err)
	}
	if before > 0 {
		if err := flag(ExceptionSerialRepeated, fmt.Sprintf("serial %s of %s was returned %d time(s) before", serial, item.SKU, before)); err != nil {
			return err
		}
	}
	at, found, err := s.hooks.SerialAt(ctx, tx, item.ID, serial)
	if err != nil {
		return err
	}
	if found {
		return flag(ExceptionSerialInStock, fmt.Sprintf("serial %s of %s is in stock at %s by the serial record", serial, item.SKU, at))
	}
	return nil
}

// ExpiredAt reports whether units with expiry (YYYY-MM-DD, "" for none)
// are past it at now: their last good day is before now's date.
func ExpiredAt(expiry string, now time.Time) bool {
	return expiry != "" && expiry < now.UTC().Format(time.DateOnly)
}
