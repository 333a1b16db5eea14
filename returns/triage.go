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

// GradeInput is an associate's grade of received units: the condition and
// what they found wrong.
type GradeInput struct {
	UnitID       int64           `json:"unit_id" validate:"gt=0"`
	Grade        string          `json:"grade" validate:"required,oneof=A B C D"`
	MissingParts bool            `json:"missing_parts"`
	Expired      bool            `json:"expired"`
	Actor        inventory.Actor `json:"actor"`
}

// ruleReason is the reason the rules read for a unit: what the floor
// found (expired, then wrong item, then missing parts) before what the
// customer said.
func ruleReason(received string, missingParts, expired bool) string {
	switch {
	case expired:
		return ReasonExpired
	case received == ReasonWrongItem:
		return ReasonWrongItem
	case missingParts:
		return ReasonMissingParts
	}
	return received
}

// GradeUnit records the grade and answers the unit with the disposition
// the rules suggest. Units whose expiry is past (at tx.Now) are graded
// expired whether or not Expired was set. Units already dispositioned are
// EPRECONDITION; grading again before disposition replaces the grade.
func (s *Service) GradeUnit(ctx context.Context, requestID string, in GradeInput) (Unit, error) {
	in.Grade = scan.Code(in.Grade)
	if err := floorops.Validate(in); err != nil {
		return Unit{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "returns.GradeUnit", Body: in},
		func(tx *store.Tx) (Unit, error) {
			u, err := unitByID(ctx, tx, s.hooks, in.UnitID)
			if err != nil {
				return Unit{}, err
			}
			if u.Disposition != "" {
				return Unit{}, floorops.Errorf(floorops.EPRECONDITION, "unit %d is already dispositioned %s", u.ID, u.Disposition)
			}
			// Units past their expiry are expired whatever the associate
			// ticked: the rules must not send them back on sale.
			expired := in.Expired || ExpiredAt(u.Expiry, tx.Now)
			reason := ruleReason(u.received, in.MissingParts, expired)
			rule, err := suggest(ctx, tx, u.itemID, in.Grade, reason)
			if err != nil {
				return Unit{}, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE return_units SET grade = ?, missing_parts = ?, expired = ?, reason = ?, suggested = ?, graded_at = ?
				WHERE id = ?`, in.Grade, in.MissingParts, expired, reason,
				rule.Disposition, store.FormatTime(tx.Now), u.ID); err != nil {
				return Unit{}, fmt.Errorf("returns: grade unit: %w", err)
			}
			g, err := unitByID(ctx, tx, s.hooks, u.ID)
			return g.Unit, err
		})
}

// suggest is the rule for an item's category, a grade and a reason. One
// statement reads the item's category and only the rules that can match
// it (a grade's was two: the whole rule table, then the category); pick
// chooses among them as SetRules' checks do. An unknown item is an error,
// as before; an item no rule matches has one row of NULL rule columns.
func suggest(ctx context.Context, q inventory.Querier, itemID int64, grade, reason string) (Rule, error) {
	var rules []Rule
	var category string
	n := 0
	err := inventory.EachRow(ctx, q, `SELECT i.category, r.condition, r.reason, r.category, r.disposition, r.available, r.location_type
		FROM items i LEFT JOIN return_rules r
		  ON r.condition IN (?1, ?3) AND r.reason IN (?2, ?3)
		 AND r.category IN (CASE i.category WHEN '' THEN ?3 ELSE i.category END, ?3)
		WHERE i.id = ?4`, []any{grade, reason, Any, itemID}, func(rows *sql.Rows) error {
		n++
		var cond, rsn, cat, disp, loc sql.NullString
		var avail sql.NullBool
		if err := rows.Scan(&category, &cond, &rsn, &cat, &disp, &avail, &loc); err != nil {
			return err
		}
		if cond.Valid {
			rules = append(rules, Rule{Condition: cond.String, Reason: rsn.String, Category: cat.String,
				Disposition: disp.String, Available: avail.Bool, LocationType: loc.String})
		}
		return nil
	})
	if err == nil && n == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return Rule{}, fmt.Errorf("returns: read rules for item %d: %w", itemID, err)
	}
	r, _, ok := pick(rules, grade, reason, category)
	if !ok {
		// SetRules refuses such a table; only a hand-edited database has one.
		return Rule{}, floorops.Errorf(floorops.EPRECONDITION, "the disposition rules have no single rule for %s/%s/%s: a lead must fix them", grade, reason, category)
	}
	return r, nil
}

// DispositionInput applies a disposition to graded units: the suggested
// one (Disposition empty or equal to it) or another with OverrideReason.
type DispositionInput struct {
	UnitID         int64           `json:"unit_id" validate:"gt=0"`
	Disposition    string          `json:"disposition" validate:"omitempty,oneof=restock refurbish return_to_vendor liquidate dispose quarantine"`
	OverrideReason string          `json:"override_reason" validate:"max=256,nocontrol"`
	Actor          inventory.Actor `json:"actor"`
}

// MayOverrideToRestock reports whether a may put units back on sale that
// the rules would not: a lead or admin. Any associate may override toward
// holding units back.
func MayOverrideToRestock(a inventory.Actor) bool {
	return a.Role == inventory.Lead || a.Role == inventory.Admin
}

// Dispositioned is a unit after disposition and its putaway task (0 when
// not restocked).
type Dispositioned struct {
	Unit          Unit  `json:"unit"`
	PutawayTaskID int64 `json:"putaway_task_id"`
}

// Disposition applies a disposition in one transaction: restocked units
// are ledgered from quarantine into available status at the returns
// location (ATS rises now) and handed to Hooks.Restocked for their putaway
// task; units held for inspection stay in quarantine where they are; the
// rest move, still in quarantine, to a quarantine location. Ungraded units
// are EPRECONDITION ("grade missing"), and so are units whose stored
// suggestion the rules no longer give (the table changed since grading:
// grade again), so what is applied is always what the associate saw or a
// recorded override; another disposition than suggested without a reason
// is EINVALID on override_reason.
func (s *Service) Disposition(ctx context.Context, requestID string, in DispositionInput) (Dispositioned, error) {
	in.OverrideReason = strings.TrimSpace(in.OverrideReason)
	if err := floorops.Validate(in); err != nil {
		return Dispositioned{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "returns.Disposition", Body: in},
		func(tx *store.Tx) (Dispositioned, error) { return s.disposition(ctx, tx, requestID, in) })
}

func (s *Service) disposition(ctx context.Context, tx *store.Tx, requestID string, in DispositionInput) (Dispositioned, error) {
	u, err := unitByID(ctx, tx, s.hooks, in.UnitID)
	if err != nil {
		return Dispositioned{}, err
	}
	switch {
	case u.Disposition != "":
		return Dispositioned{}, floorops.Errorf(floorops.EPRECONDITION, "unit %d is already dispositioned %s", u.ID, u.Disposition)
	case u.Grade == "":
		return Dispositioned{}, floorops.Errorf(floorops.EPRECONDITION, "unit %d is not graded: grade it first", u.ID)
	}
	rule, err := suggest(ctx, tx, u.itemID, u.Grade, u.Reason)
	if err != nil {
		return Dispositioned{}, err
	}
	if rule.Disposition != u.Suggested {
		// The associate decided on what GradeUnit suggested; applying
		// today's rule instead would be an override nobody recorded.
		return Dispositioned{}, floorops.Errorf(floorops.EPRECONDITION,
			"the disposition rules changed since unit %d was graded (suggested %s, now %s): grade it again", u.ID, u.Suggested, rule.Disposition)
	}
	d, available, locType := rule.Disposition, rule.Available, rule.LocationType
	var overrideBy string
	if in.Disposition != "" && in.Disposition != rule.Disposition {
		if in.OverrideReason == "" {
			return Dispositioned{}, floorops.Invalid("override_reason", "is required to %s what the rules say to %s", in.Disposition, rule.Disposition)
		}
		if in.Disposition == Restock && !MayOverrideToRestock(in.Actor) {
			return Dispositioned{}, floorops.Errorf(floorops.EPERMISSION, "only a lead may restock units the rules would not")
		}
		d, overrideBy = in.Disposition, in.Actor.Badge
		available, locType = target(d)
	} else {
		in.OverrideReason = ""
	}
	from := u.locationID
	to := from
	var move inventory.Move
	base := inventory.Move{ItemID: u.itemID, Lot: u.Lot, Expiry: u.Expiry, From: from, FromStatus: inventory.Quarantined,
		Qty: u.Qty, Reason: d, Ref: unitRef(u.ID), Actor: in.Actor, RequestID: requestID}
	var taskID int64
	switch {
	case available:
		move = base
		move.Kind, move.To, move.ToStatus = inventory.KindStatus, from, inventory.Available
	case locType == string(inventory.LocQuarantine):
		q, err := firstLocation(ctx, tx, inventory.LocQuarantine)
		if err != nil {
			return Dispositioned{}, err
		}
		to = q.ID
		move = base
		move.Kind, move.To, move.ToStatus = inventory.KindMove, to, inventory.Quarantined
	}
	if move.Kind != "" {
		if _, err := inventory.Record(ctx, tx, move); err != nil {
			return Dispositioned{}, err
		}
	}
	if available {
		if taskID, err = s.hooks.Restocked(ctx, tx, inventory.StagedStock{ItemID: u.itemID, LocationID: from, Lot: u.Lot, Expiry: u.Expiry,
			Status: inventory.Available, Qty: u.Qty, Ref: unitRef(u.ID), Actor: in.Actor, Restock: true}); err != nil {
			return Dispositioned{}, err
		}
	}
	var task any
	if taskID != 0 {
		task = taskID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE return_units SET disposition = ?, override_reason = ?, override_by = ?, to_location_id = ?,
		putaway_task_id = ?, dispositioned_at = ? WHERE id = ?`, d, in.OverrideReason, overrideBy, to, task, store.FormatTime(tx.Now), u.ID); err != nil {
		return Dispositioned{}, fmt.Errorf("returns: disposition unit: %w", err)
	}
	if u, err = unitByID(ctx, tx, s.hooks, u.ID); err != nil {
		return Dispositioned{}, err
	}
	_, err = inventory.Emit(ctx, tx, "return_dispositioned", &eventv1.Event{Payload: &eventv1.Event_ReturnDispositioned{ReturnDispositioned: &eventv1.ReturnDispositioned{
		UnitId: u.ID, RmaNumber: u.RMANumber, OrderRef: u.OrderRef, Sku: u.SKU, Quantity: u.Qty,
		Grade: u.Grade, Disposition: u.Disposition, Reason: u.Reason, Overridden: u.OverrideBy != "", OverrideReason: u.OverrideReason,
		ShopifyDisposition: ShopifyDisposition(u.Disposition), AmazonUnsellableClass: AmazonUnsellableClass(u.Unit),
		LocationCode: u.ToLocationCode,
	}}})
	return Dispositioned{Unit: u.Unit, PutawayTaskID: taskID}, err
}

// ShopifyDisposition is a disposition in Shopify's return line vocabulary:
// restocked units are "restocked", units held for inspection or repair
// "processing_required", the rest "not_restocked".
func ShopifyDisposition(d string) string {
	switch d {
	case Restock:
		return "restocked"
	case Quarantine, Refurbish:
		return "processing_required"
	}
	return "not_restocked"
}

// AmazonUnsellableClass is Amazon's unsellable class of units not
// restocked, where one maps: expired, defective (grade D or the
// customer's reason), customer damaged (grade C or damaged); "" otherwise.
func AmazonUnsellableClass(u Unit) string {
	switch {
	case u.Disposition == Restock:
		return ""
	case u.Expired:
		return "expired"
	case u.Grade == GradeD || u.Reason == ReasonDefective:
		return "defective"
	case u.Grade == GradeC || u.Reason == ReasonDamaged:
		return "customer_damaged"
	}
	return ""
}

// unit is a Unit with the ids the service needs.
type unit struct {
	Unit
	itemID, locationID int64
	received           string // the reason recorded at receipt
}

const unitColumns = `u.id, COALESCE(r.rma_number, ''), u.order_ref, i.sku, u.qty, u.lot, u.expiry, u.serial, l.code,
	u.reason, u.exceptions, u.grade, u.missing_parts, u.expired, u.suggested, u.disposition, u.override_reason,
	u.override_by, COALESCE(tl.code, ''), COALESCE(u.putaway_task_id, 0), u.received_at, u.graded_at, u.dispositioned_at,
	u.item_id, u.location_id,
	CASE WHEN r.id IS NULL THEN 'unexpected' WHEN EXISTS (SELECT 1 FROM rma_lines rl WHERE rl.rma_id = r.id AND rl.item_id = u.item_id)
		THEN (SELECT rl.reason FROM rma_lines rl WHERE rl.rma_id = r.id AND rl.item_id = u.item_id) ELSE 'wrong_item' END`

const unitFrom = ` FROM return_units u JOIN items i ON i.id = u.item_id JOIN locations l ON l.id = u.location_id
	LEFT JOIN rmas r ON r.id = u.rma_id LEFT JOIN locations tl ON tl.id = u.to_location_id WHERE `

func scanUnit(rows interface{ Scan(...any) error }) (unit, error) {
	var u unit
	var exc, rec, graded, disp string
	err := rows.Scan(&u.ID, &u.RMANumber, &u.OrderRef, &u.SKU, &u.Qty, &u.Lot, &u.Expiry, &u.Serial, &u.LocationCode,
		&u.Reason, &exc, &u.Grade, &u.MissingParts, &u.Expired, &u.Suggested, &u.Disposition, &u.OverrideReason,
		&u.OverrideBy, &u.ToLocationCode, &u.PutawayTaskID, &rec, &graded, &disp, &u.itemID, &u.locationID, &u.received)
	if err != nil {
		return u, err
	}
	if exc != "" {
		u.Exceptions = strings.Split(exc, ",")
	}
	if u.ReceivedAt, err = store.ParseTime(rec); err != nil {
		return u, err
	}
	for _, t := range []struct {
		s string
		t *time.Time
	}{{graded, &u.GradedAt}, {disp, &u.DispositionAt}} {
		if t.s != "" {
			if *t.t, err = store.ParseTime(t.s); err != nil {
				return u, err
			}
		}
	}
	return u, nil
}

func unitByID(ctx context.Context, q inventory.Querier, h Hooks, id int64) (unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+unitFrom+`u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, floorops.Errorf(floorops.ENOTFOUND, "returned unit %d not found", id)
	}
	if err != nil {
		return u, fmt.Errorf("returns: read unit: %w", err)
	}
	return u, h.putAway(ctx, q, &u.Unit)
}

func loadUnits(ctx context.Context, q inventory.Querier, h Hooks, where string, args ...any) ([]Unit, error) {
	var out []Unit
	err := inventory.EachRow(ctx, q, `SELECT `+unitColumns+unitFrom+where, args, func(rows *sql.Rows) error {
		u, err := scanUnit(rows)
		if err != nil {
			return err
		}
		out = append(out, u.Unit)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("returns: read units: %w", err)
	}
	for i := range out {
		if err := h.putAway(ctx, q, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// putAway fills in when restocked units were put away, from putaway.
func (h Hooks) putAway(ctx context.Context, q inventory.Querier, u *Unit) error {
	if u.PutawayTaskID == 0 {
		return nil
	}
	t, err := h.PutAway(ctx, q, u.PutawayTaskID)
	u.PutawayAt = t
	return err
}
