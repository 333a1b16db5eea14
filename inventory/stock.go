package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// MoveInput is an associate's ad-hoc move between two scanned locations.
// Units moved off a license plate become loose stock at the destination.
type MoveInput struct {
	FromScan string `json:"from_location_scan" validate:"required,max=128"`
	ToScan   string `json:"to_location_scan" validate:"required,max=128"`
	SKU      string `json:"sku" validate:"required,max=64"`
	Lot      string `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry   string `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	Qty      int64  `json:"quantity" validate:"gt=0,lte=10000000"`
	Status   Status `json:"status" validate:"omitempty,oneof=available quarantine"`
	LPN      string `json:"lpn" validate:"max=32"`
	Actor    Actor  `json:"actor"`
}

// MoveStock moves units between two locations, both verified by what the
// associate scanned. The destination must take the units: the placement
// rule (see CheckPlacement), which the ledger write checks.
func (s *Service) MoveStock(ctx context.Context, requestID string, in MoveInput) (Movement, error) {
	in.SKU = scan.Code(in.SKU)
	in.LPN = scan.Code(in.LPN)
	in.Lot = strings.TrimSpace(in.Lot)
	if err := floorops.Validate(in); err != nil {
		return Movement{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "MoveStock", Body: in},
		func(tx *store.Tx) (Movement, error) {
			from, err := VerifyLocationScan(ctx, tx, s.scan, "from_location_scan", in.FromScan, nil)
			if err != nil {
				return Movement{}, err
			}
			to, err := VerifyLocationScan(ctx, tx, s.scan, "to_location_scan", in.ToScan, nil)
			if err != nil {
				return Movement{}, err
			}
			if from.ID == to.ID {
				return Movement{}, floorops.Invalid("to_location_scan", "is the same location as the source")
			}
			if err := notShipLane(from); err != nil {
				return Movement{}, err
			}
			if err := notShipLane(to); err != nil {
				return Movement{}, err
			}
			if err := CheckMoveOut(ctx, tx, from, in.Actor); err != nil {
				return Movement{}, err
			}
			if err := CheckMoveIn(ctx, tx, to, in.Actor); err != nil {
				return Movement{}, err
			}
			if err := checkReturnsMoveOut(from, in.Actor); err != nil {
				return Movement{}, err
			}
			item, err := ItemBySKU(ctx, tx, in.SKU)
			if err != nil {
				return Movement{}, err
			}
			if err := CheckTracking(item, in.Lot, in.Expiry); err != nil {
				return Movement{}, err
			}
			if err := checkUnallocated(ctx, tx, StockKey{ItemID: item.ID, LocationID: from.ID, Lot: in.Lot, Expiry: in.Expiry, LPN: in.LPN}, in.Status, in.Qty, in.Actor); err != nil {
				return Movement{}, err
			}
			return Record(ctx, tx, Move{
				Kind: KindMove, ItemID: item.ID, Lot: in.Lot, Expiry: in.Expiry,
				From: from.ID, To: to.ID, FromStatus: in.Status, FromLPN: in.LPN,
				Qty: in.Qty, Actor: in.Actor, RequestID: requestID, Placement: true,
			})
		})
}

// notShipLane refuses a hand move or adjustment at a ship lane. What is
// there was picked for orders (or waits, on a cancelled order's tote, for
// its putaway task): moved back to a shelf by hand it would count for the
// order and for sale at once. Picking, putaway and shipping move it.
func notShipLane(l Location) error {
	if l.Type == LocShip {
		return floorops.Errorf(floorops.EPRECONDITION,
			"%s is a ship lane: its units are picked for orders; cancel the order to send them back to stock by putaway", l.Code)
	}
	return nil
}

// MayMoveOutOfReturns reports whether a may move units out of a returns
// location by hand: a lead or an admin, correcting a mistake. Everyone
// else leaves returned units to the returns workflow.
func MayMoveOutOfReturns(a Actor) bool { return a.Role == Lead || a.Role == Admin }

// checkReturnsMoveOut refuses, with EPRECONDITION, a hand move out of a
// returns location by anyone MayMoveOutOfReturns does not allow. Returned
// units leave it by their disposition (to quarantine) or their putaway
// task (restocked units); moved by hand, a unit not yet graded or
// dispositioned would be stranded away from the units its disposition
// moves.
func checkReturnsMoveOut(l Location, a Actor) error {
	if l.Type == LocReturns && !MayMoveOutOfReturns(a) {
		return floorops.Errorf(floorops.EPRECONDITION,
			"%s is a returns location: its units leave by disposition or by their putaway task; a lead may correct", l.Code)
	}
	return nil
}

// checkUnallocated refuses to move units that are allocated to orders: a
// pick is coming for them at this location, and moving them would turn
// that pick into a short. An associate (a, the mover) is not told the
// bin's units (see take).
func checkUnallocated(ctx context.Context, tx *store.Tx, k StockKey, st Status, qty int64, a Actor) error {
	if st == Quarantined {
		return nil // quarantined units are never allocated
	}
	var onHand, allocated int64
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT qty FROM balances WHERE location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = 'available' AND lpn = ?), 0),
		COALESCE((SELECT SUM(qty) FROM allocations WHERE item_id = ? AND location_id = ? AND lot = ? AND expiry = ? AND lpn = ?), 0)`,
		k.LocationID, k.ItemID, k.Lot, k.Expiry, k.LPN, k.ItemID, k.LocationID, k.Lot, k.Expiry, k.LPN).Scan(&onHand, &allocated)
	if err != nil {
		return fmt.Errorf("read allocations: %w", err)
	}
	if allocated > 0 && qty > onHand-allocated && qty <= onHand {
		if !ToldHeld(a) {
			return floorops.Errorf(floorops.EPRECONDITION, "units here are allocated to orders: take fewer, or short-pick the rest")
		}
		return floorops.Errorf(floorops.EPRECONDITION, "%d of the %d units here are allocated to orders; only %d may be taken (short-pick the rest)",
			allocated, onHand, max(onHand-allocated, 0))
	}
	return nil
}

// CheckTracking refuses stock named without the lot or expiry its item is
// tracked by, and a lot or expiry on an item that has none (receiving never
// records one there, so no such stock exists to move, correct or put
// away): EINVALID naming lot or expiry. It is the one rule for every
// workflow that names stock by item, lot and expiry.
func CheckTracking(item Item, lot, expiry string) error {
	if !item.LotTracked && lot != "" {
		return floorops.Invalid("lot", "%s is not lot tracked: leave lot empty", item.SKU)
	}
	if !item.ExpiryTracked && expiry != "" {
		return floorops.Invalid("expiry", "%s carries no expiry date: leave expiry empty", item.SKU)
	}
	if item.LotTracked && lot == "" {
		return floorops.Invalid("lot", "is required: %s is lot tracked", item.SKU)
	}
	if item.ExpiryTracked && expiry == "" {
		return floorops.Invalid("expiry", "is required: %s carries an expiry date", item.SKU)
	}
	return nil
}

// AdjustInput is a lead's correction of one balance.
type AdjustInput struct {
	LocationCode string `json:"location_code" validate:"required,max=32"`
	SKU          string `json:"sku" validate:"required,max=64"`
	Lot          string `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry       string `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	Delta        int64  `json:"delta" validate:"ne=0,gte=-10000000,lte=10000000"`
	Reason       string `json:"reason" validate:"required,max=64,nocontrol"`
	Status       Status `json:"status" validate:"omitempty,oneof=available quarantine"`
	LPN          string `json:"lpn" validate:"max=32"`
	Actor        Actor  `json:"actor"`
}

// AdjustStock adds units to (found) or removes units from (lost, damaged)
// a balance, with a reason code. Adjustments record what is physically there,
// so they ignore capacity and blocked flags.
func (s *Service) AdjustStock(ctx context.Context, requestID string, in AdjustInput) (Movement, error) {
	in.SKU = scan.Code(in.SKU)
	in.LocationCode = scan.Code(in.LocationCode)
	in.LPN = scan.Code(in.LPN)
	in.Reason = strings.ToLower(strings.TrimSpace(in.Reason))
	in.Lot = strings.TrimSpace(in.Lot)
	if err := floorops.Validate(in); err != nil {
		return Movement{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "AdjustStock", Body: in},
		func(tx *store.Tx) (Movement, error) {
			loc, err := LocationByCode(ctx, tx, in.LocationCode)
			if err != nil {
				return Movement{}, err
			}
			if err := notShipLane(loc); err != nil {
				return Movement{}, err
			}
			item, err := ItemBySKU(ctx, tx, in.SKU)
			if err != nil {
				return Movement{}, err
			}
			if err := CheckTracking(item, in.Lot, in.Expiry); err != nil {
				return Movement{}, err
			}
			m := Move{
				Kind: KindAdjust, ItemID: item.ID, Lot: in.Lot, Expiry: in.Expiry,
				FromStatus: in.Status, FromLPN: in.LPN, ToLPN: in.LPN,
				Reason: in.Reason, Actor: in.Actor, RequestID: requestID, Qty: in.Delta,
				Item: &item, FromLocation: &loc, ToLocation: &loc,
			}
			if in.Delta > 0 {
				m.To = loc.ID
			} else {
				if err := CheckMoveOut(ctx, tx, loc, in.Actor); err != nil {
					return Movement{}, err
				}
				m.From, m.Qty = loc.ID, -in.Delta
				// Units promised to an order are corrected by a short pick,
				// which reallocates or backorders the order; an adjustment
				// would leave the order promised stock that is gone.
				if err := checkUnallocated(ctx, tx, StockKey{ItemID: item.ID, LocationID: loc.ID, Lot: in.Lot, Expiry: in.Expiry, LPN: in.LPN}, in.Status, m.Qty, in.Actor); err != nil {
					return Movement{}, err
				}
			}
			return Record(ctx, tx, m)
		})
}

// GetBalances returns the non-zero balances at a location, of an item, or
// of an item at a location, in walk order.
func (s *Service) GetBalances(ctx context.Context, locationCode, sku string) ([]Balance, error) {
	locationCode = scan.Code(locationCode)
	sku = scan.Code(sku)
	if locationCode == "" && sku == "" {
		return nil, &floorops.Error{Code: floorops.EINVALID, Message: "location_code or sku is required",
			Fields: []floorops.FieldViolation{{Field: "location_code", Description: "location_code or sku is required"}, {Field: "sku", Description: "location_code or sku is required"}}}
	}
	q := s.db.Reader()
	var locID, itemID int64
	if locationCode != "" {
		l, err := LocationByCode(ctx, q, locationCode)
		if err != nil {
			return nil, err
		}
		locID = l.ID
	}
	if sku != "" {
		it, err := ItemBySKU(ctx, q, sku)
		if err != nil {
			return nil, err
		}
		itemID = it.ID
	}
	// Only the filters given, so SQLite picks the location or item index.
	where, args := []string{"b.qty > 0"}, []any{}
	if locID != 0 {
		where, args = append(where, "b.location_id = ?"), append(args, locID)
	}
	if itemID != 0 {
		where, args = append(where, "b.item_id = ?"), append(args, itemID)
	}
	rows, err := q.QueryContext(ctx, `SELECT l.code, i.sku, b.lot, b.expiry, b.status, b.lpn, b.qty
		FROM balances b JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY l.walk_seq, l.code, i.sku, b.expiry, b.lot, b.status, b.lpn`, args...)
	if err != nil {
		return nil, fmt.Errorf("read balances: %w", err)
	}
	defer rows.Close()
	var out []Balance
	for rows.Next() {
		var b Balance
		if err := rows.Scan(&b.LocationCode, &b.SKU, &b.Lot, &b.Expiry, &b.Status, &b.LPN, &b.Qty); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AvailableToSell returns ATS for each SKU, in the order asked.
func (s *Service) AvailableToSell(ctx context.Context, skus []string) ([]Availability, error) {
	if len(skus) == 0 {
		return nil, floorops.Invalid("skus", "at least one SKU is required")
	}
	if len(skus) > store.MaxPageSize {
		return nil, floorops.Invalid("skus", "at most %d SKUs per request", store.MaxPageSize)
	}
	out := make([]Availability, 0, len(skus))
	for i, sku := range skus {
		sku = scan.Code(sku)
		if sku == "" {
			return nil, floorops.Invalid(fmt.Sprintf("skus[%d]", i), "is empty")
		}
		it, err := ItemBySKU(ctx, s.db.Reader(), sku)
		if err != nil {
			return nil, err
		}
		a, err := AvailabilityOf(ctx, s.db.Reader(), it.ID, s.db.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// MovementFilter narrows ListMovements.
type MovementFilter struct {
	SKU          string
	LocationCode string
	Kind         string
}

// ListMovements pages through the ledger newest first.
func (s *Service) ListMovements(ctx context.Context, f MovementFilter, limit int, pageToken string) ([]Movement, string, error) {
	f.SKU = scan.Code(f.SKU)
	f.LocationCode = scan.Code(f.LocationCode)
	f.Kind = strings.ToLower(strings.TrimSpace(f.Kind))
	page, before, err := store.NewestFirst("movements|"+f.SKU+"|"+f.LocationCode+"|"+f.Kind, limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	q := s.db.Reader()
	var itemID, locID int64
	if sku := f.SKU; sku != "" {
		it, err := ItemBySKU(ctx, q, sku)
		if err != nil {
			return nil, "", err
		}
		itemID = it.ID
	}
	if code := f.LocationCode; code != "" {
		l, err := LocationByCode(ctx, q, code)
		if err != nil {
			return nil, "", err
		}
		locID = l.ID
	}
	// Only the filters given, so SQLite can walk the item index, or the
	// union of the from/to location indexes, newest first.
	where, args := []string{"m.id < ?"}, []any{before}
	if itemID != 0 {
		where, args = append(where, "m.item_id = ?"), append(args, itemID)
	}
	if locID != 0 {
		where = append(where, `m.id IN (SELECT id FROM movements WHERE from_location_id = ? AND id < ?
			UNION ALL SELECT id FROM movements WHERE to_location_id = ? AND id < ?)`)
		args = append(args, locID, before, locID, before)
	}
	if f.Kind != "" {
		if !slices.Contains(movementKinds, f.Kind) {
			return nil, "", floorops.Invalid("kind", "must be one of: %s", strings.Join(movementKinds, ", "))
		}
		where, args = append(where, "m.kind = ?"), append(args, f.Kind)
	}
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.kind, i.sku, m.lot, m.expiry, COALESCE(fl.code, ''), COALESCE(tl.code, ''),
			m.from_status, m.to_status, m.from_lpn, m.to_lpn, m.qty, m.reason, m.user_badge, m.device_id, m.ref, m.request_id, m.created_at
		FROM movements m JOIN items i ON i.id = m.item_id
		LEFT JOIN locations fl ON fl.id = m.from_location_id LEFT JOIN locations tl ON tl.id = m.to_location_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY m.id DESC LIMIT ?`, append(args, page.Fetch())...)
	if err != nil {
		return nil, "", fmt.Errorf("list movements: %w", err)
	}
	defer rows.Close()
	var out []Movement
	for rows.Next() {
		var m Movement
		var created string
		if err := rows.Scan(&m.ID, &m.Kind, &m.SKU, &m.Lot, &m.Expiry, &m.From, &m.To, &m.FromStatus, &m.ToStatus,
			&m.FromLPN, &m.ToLPN, &m.Qty, &m.Reason, &m.UserBadge, &m.DeviceID, &m.Ref, &m.RequestID, &created); err != nil {
			return nil, "", err
		}
		if m.CreatedAt, err = store.ParseTime(created); err != nil {
			return nil, "", err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.PageOf(page, out, func(m Movement) string { return store.IDKey(m.ID) })
	return out, next, nil
}
