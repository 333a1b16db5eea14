package putaway

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// ConfirmInput is what an associate reports at the shelf: the task, what
// they scanned there, how many units they put, and why when it is not where
// the node directed.
type ConfirmInput struct {
	TaskID int64 `json:"task_id" validate:"gt=0"`
	// Scan is the location's barcode as the scanner typed it, or its 2-digit
	// check code typed by hand.
	Scan string `json:"location_scan" validate:"required,max=128"`
	// Qty is the units put away. 0 on a task with an LPN means the whole
	// rest of the pallet; loose eaches must be counted.
	Qty      int64           `json:"quantity" validate:"gte=0,lte=10000000"`
	Override string          `json:"override_reason" validate:"max=64"`
	Actor    inventory.Actor `json:"actor"`
}

// Confirmation is the outcome of one putaway confirmation.
type Confirmation struct {
	Task     Task               `json:"task"`
	Movement inventory.Movement `json:"movement"`
	// Overridden: the stock went somewhere other than the directed location.
	Overridden bool `json:"overridden"`
	// Directed is where the node had directed the stock ("" if nowhere had room).
	Directed string `json:"directed_location_code"`
}

// ConfirmPutaway moves units of a task from its source to the location the
// associate scanned, verified at the shelf:
//
//   - the directed location confirms with its barcode or its check code;
//   - another storage location (or pick face) is accepted only with an
//     override reason, recorded as a putaway-override exception at that
//     location so cycle counting looks at it sooner;
//   - a location that does not exist, is blocked, is of the wrong type or
//     has no room is refused with what to do instead.
//
// The directed location is the one SuggestLocation last reserved for the
// task, for as long as it still takes the units; when it no longer does
// (filled or blocked since), confirming there is EPRECONDITION and
// SuggestLocation gives a fresh direction. A task never directed is
// directed afresh inside the transaction. Room is checked against the
// current stock, so when two associates race for the last room in a
// location, one succeeds and the other is refused (EPRECONDITION) and gets
// a new suggestion. Units put away become loose stock at the destination. A
// retry with the same request id moves nothing; a finished task is
// EPRECONDITION, and so is a task whose units are no longer all at its
// source (some left outside putaway, or older tasks of the same stock
// claim them): the refusal says what is there, and asking for the task
// again (SuggestLocation) trims it to that. Units at the source allocated
// to orders (a restocked return sold before it was put away) are never
// moved, so no allocation is left without its stock: putting away more
// than the unallocated units is EPRECONDITION, and a confirmation of
// fewer shrinks the task to them (done once they are put away); the
// allocated units are picked where the order's pick directs.
func (s *Service) ConfirmPutaway(ctx context.Context, requestID string, in ConfirmInput) (Confirmation, error) {
	in.Override = strings.TrimSpace(in.Override)
	if err := floorops.Validate(in); err != nil {
		return Confirmation{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "putaway.ConfirmPutaway", Body: in},
		func(tx *store.Tx) (Confirmation, error) { return s.confirm(ctx, tx, requestID, in) })
}

func (s *Service) confirm(ctx context.Context, tx *store.Tx, requestID string, in ConfirmInput) (Confirmation, error) {
	t, err := openTask(ctx, tx, in.TaskID)
	if err != nil {
		return Confirmation{}, err
	}
	sh, err := shareOf(ctx, tx, t)
	if err != nil {
		return Confirmation{}, err
	}
	if sh.atSource(t) < t.Remaining() {
		return Confirmation{}, notAtSource(t, sh, in.Actor)
	}
	qty := in.Qty
	switch {
	case qty == 0 && t.LPN == "":
		return Confirmation{}, floorops.Invalid("quantity", "is required: count the eaches you put away")
	case qty == 0:
		qty = t.Remaining()
	case qty > t.Remaining():
		return Confirmation{}, floorops.Invalid("quantity", "must be at most %d, the units left on task %d", t.Remaining(), t.ID)
	}
	// Units allocated to orders since the task was made stay where they
	// are: the order's pick is directed to them there. The task may put
	// away the rest, and shrinks to them below.
	if qty > sh.movable(t) {
		return Confirmation{}, notAtSource(t, sh, in.Actor)
	}
	res, err := reservationOf(ctx, tx, t.ID)
	if err != nil {
		return Confirmation{}, err
	}
	loc, directed, haveDirection, err := s.scannedLocation(ctx, tx, t, in.Scan, res, qty)
	if err != nil {
		return Confirmation{}, err
	}
	if err := checkDestination(t, loc); err != nil {
		if loc.ID == res.locationID && floorops.IsCode(err, floorops.EINVALID) {
			// The node sent the associate here: a location that has
			// since changed type is a changed floor, not a wrong scan.
			return Confirmation{}, floorops.Errorf(floorops.EPRECONDITION,
				"%s no longer takes this stock: ask for a new location", loc.Code)
		}
		return Confirmation{}, err
	}
	if err := inventory.CheckMoveIn(ctx, tx, loc, in.Actor); err != nil {
		return Confirmation{}, err
	}
	out := Confirmation{Overridden: !haveDirection || loc.ID != directed.LocationID}
	if haveDirection {
		out.Directed = directed.LocationCode
	}
	reason := ""
	if out.Overridden {
		reason = in.Override
	}
	// The task, and the document that staged the stock (a receipt, a
	// cancelled order), so the ledger tells why the units moved.
	ref := "putaway-" + strconv.FormatInt(t.ID, 10)
	if t.Ref != "" {
		ref += " " + t.Ref
	}
	// The ledger checks that the location takes the units (placement: not
	// blocked, room), the one check of it for this write; a location that
	// does not is refused as such before a missing override reason is, and
	// the refusal leaves nothing written.
	out.Movement, err = inventory.Record(ctx, tx, inventory.Move{
		Kind: inventory.KindPutaway, ItemID: t.ItemID, Lot: t.Lot, Expiry: t.Expiry,
		From: t.FromID, To: loc.ID, FromStatus: t.Status, FromLPN: t.LPN, Qty: qty,
		Reason: reason, Ref: ref, Actor: in.Actor, RequestID: requestID, Placement: true,
		ToLocation: &loc,
	})
	if err != nil {
		return Confirmation{}, err
	}
	if out.Overridden && reason == "" {
		msg := fmt.Sprintf("%s is not where this stock is directed: scan %s, or give an override reason to put it here", loc.Code, directed.LocationCode)
		if !haveDirection {
			msg = fmt.Sprintf("no location has room for this stock, so putting it at %s needs an override reason", loc.Code)
		}
		return Confirmation{}, &floorops.Error{Code: floorops.EINVALID, Message: msg,
			Fields: []floorops.FieldViolation{{Field: "override_reason", Description: msg}}}
	}
	var directedID any
	if haveDirection {
		directedID = directed.LocationID
	}
	if out.Overridden {
		detail := fmt.Sprintf("put %d of %s at %s instead of %s: %s", qty, t.SKU, loc.Code, orNone(out.Directed), reason)
		if err := inventory.RecordException(ctx, tx, inventory.Exception{
			Kind: inventory.ExceptionPutawayOverride, LocationID: loc.ID, ItemID: t.ItemID,
			Ref: ref, Detail: detail, Actor: in.Actor,
		}); err != nil {
			return Confirmation{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO putaway_confirms
		(task_id, movement_id, location_id, directed_location_id, qty, override_reason, user_badge, device_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, out.Movement.ID, loc.ID, directedID, qty, reason, in.Actor.Badge, in.Actor.Device, store.FormatTime(tx.Now)); err != nil {
		return Confirmation{}, fmt.Errorf("putaway: record confirmation: %w", err)
	}
	// Units put in the reserved location use up that much of the
	// reservation; put anywhere else, the reservation is released and the
	// rest of the task is directed afresh.
	var keepID any
	keepQty := int64(0)
	if loc.ID == res.locationID {
		keepQty = min(res.qty-qty, t.Remaining()-qty)
	}
	if keepQty > 0 {
		keepID = res.locationID
	} else {
		keepQty = 0
	}
	if _, err := tx.ExecContext(ctx, `UPDATE putaway_tasks SET put_qty = put_qty + ?,
		state = CASE WHEN put_qty + ? = qty THEN 'done' ELSE 'open' END,
		closed_at = CASE WHEN put_qty + ? = qty THEN ? ELSE '' END,
		directed_location_id = ?, directed_qty = ?
		WHERE id = ?`, qty, qty, qty, store.FormatTime(tx.Now), keepID, keepQty, t.ID); err != nil {
		return Confirmation{}, fmt.Errorf("putaway: update task: %w", err)
	}
	// What is left of the stock's tasks claims only unallocated units: the
	// allocated ones leave by pick.
	if _, _, err := trimStale(ctx, tx, keyOf(t), 0); err != nil {
		return Confirmation{}, err
	}
	out.Task, err = taskByID(ctx, tx, t.ID)
	return out, err
}

func orNone(code string) string {
	if code == "" {
		return "no directed location"
	}
	return code
}

// direction is where qty units of t are directed: the task's reservation
// while that location still takes them and is not being counted, else a
// fresh suggestion.
func (s *Service) direction(ctx context.Context, tx *store.Tx, t Task, res reservation, qty int64) (Suggestion, bool, error) {
	if res.locationID != 0 {
		loc, err := inventory.LocationByCode(ctx, tx, res.code)
		if err != nil {
			return Suggestion{}, false, err
		}
		counted, err := s.beingCounted(ctx, tx, loc.ID)
		if err != nil {
			return Suggestion{}, false, err
		}
		err = checkDestination(t, loc)
		if err == nil {
			err = inventory.CheckPlacement(ctx, tx, loc, qty)
		}
		if err == nil && !counted {
			return Suggestion{LocationID: loc.ID, LocationCode: loc.Code}, true, nil
		}
		if !floorops.IsCode(err, floorops.EPRECONDITION) && !floorops.IsCode(err, floorops.EINVALID) {
			return Suggestion{}, false, err
		}
	}
	return s.suggest(ctx, tx, t)
}

// beingCounted reports whether the location id has a count being counted
// (Hooks.BeingCounted): a reservation made before the count started no
// longer directs stock there.
func (s *Service) beingCounted(ctx context.Context, q inventory.Querier, id int64) (bool, error) {
	counting, err := s.hooks.BeingCounted(ctx, q)
	if err != nil {
		return false, fmt.Errorf("putaway: locations being counted: %w", err)
	}
	return counting[id], nil
}

// scannedLocation resolves what the associate scanned at the shelf, and
// where t's qty units are directed. A scan of the task's reserved location
// (its barcode or its 2-digit check code) is the directed location, unless
// it is being counted now (then it is as any other scan); the
// ledger write then checks it still takes the units, so it is not asked
// twice. Any other scan needs the direction (see direction): a barcode
// names any location (putting it elsewhere needs an override reason), a
// check code confirms only the directed location. Reading the scan is
// inventory's one rule (inventory.LocationScan).
func (s *Service) scannedLocation(ctx context.Context, tx *store.Tx, t Task, raw string, res reservation, qty int64) (inventory.Location, Suggestion, bool, error) {
	sc, err := inventory.ScanLocation(s.scan, "location_scan", raw)
	if err != nil {
		return inventory.Location{}, Suggestion{}, false, err
	}
	if res.locationID != 0 {
		reserved, err := inventory.LocationByCode(ctx, tx, res.code)
		if err != nil {
			return inventory.Location{}, Suggestion{}, false, err
		}
		counted, err := s.beingCounted(ctx, tx, reserved.ID)
		if err != nil {
			return inventory.Location{}, Suggestion{}, false, err
		}
		if sc.Names(reserved) && !counted {
			return reserved, Suggestion{LocationID: reserved.ID, LocationCode: reserved.Code}, true, nil
		}
	}
	directed, haveDirection, err := s.direction(ctx, tx, t, res, qty)
	if err != nil {
		return inventory.Location{}, Suggestion{}, false, err
	}
	var want *inventory.Location
	if sc.IsCheckCode() && haveDirection {
		l, err := inventory.LocationByCode(ctx, tx, directed.LocationCode)
		if err != nil {
			return inventory.Location{}, Suggestion{}, false, err
		}
		want = &l
	}
	loc, err := sc.Location(ctx, tx, want)
	if err != nil {
		return inventory.Location{}, Suggestion{}, false, err
	}
	return loc, directed, haveDirection, nil
}

// checkDestination refuses a location the task's stock is not put away
// to: its own source, or a location of the wrong type (held stock goes to
// quarantine, other stock to storage or a pick face). Whether the location
// takes the units is the placement rule (inventory.CheckPlacement).
func checkDestination(t Task, loc inventory.Location) error {
	if loc.ID == t.FromID {
		return floorops.Invalid("location_scan", "%s is where the stock is now: scan the location you put it in", loc.Code)
	}
	if t.Status == inventory.Quarantined && loc.Type != inventory.LocQuarantine {
		return floorops.Invalid("location_scan", "%s is a %s location; held stock goes to a quarantine location", loc.Code, loc.Type)
	}
	if t.Status != inventory.Quarantined && loc.Type != inventory.LocStorage && loc.Type != inventory.LocPickFace {
		return floorops.Invalid("location_scan", "%s is a %s location; stock is put away to storage or a pick face", loc.Code, loc.Type)
	}
	return nil
}
