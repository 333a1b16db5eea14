package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// StartInput is an associate at a location, starting to count it.
type StartInput struct {
	LocationScan string          `json:"location_scan" validate:"required,max=128"`
	CountID      int64           `json:"count_id" validate:"gte=0"`
	Actor        inventory.Actor `json:"actor"`
}

// StartCount begins a count of the scanned location, or of the open
// recount CountID (the scan, barcode or check code, must name its
// location). The record at the location is snapshotted per item, lot,
// expiry, status and LPN: what the count is compared with, whatever moves
// after. A location with a count in progress is refused (EPRECONDITION);
// so is a recount by the associate whose count it recounts, unless a lead.
func (s *Service) StartCount(ctx context.Context, requestID string, in StartInput) (Count, error) {
	if err := floorops.Validate(in); err != nil {
		return Count{}, err
	}
	c, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "StartCount", Body: in},
		func(tx *store.Tx) (Count, error) { return startCount(ctx, tx, s.scan, in) })
	return c.seenBy(in.Actor), err
}

func startCount(ctx context.Context, tx *store.Tx, p *scan.Parser, in StartInput) (Count, error) {
	var id int64
	if in.CountID != 0 {
		c, err := loadCount(ctx, tx, in.CountID)
		if err != nil {
			return Count{}, err
		}
		loc, err := inventory.LocationByCode(ctx, tx, c.LocationCode)
		if err != nil {
			return Count{}, err
		}
		if _, err := inventory.VerifyLocationScan(ctx, tx, p, "location_scan", in.LocationScan, &loc); err != nil {
			return Count{}, err
		}
		if c.State != StateOpen {
			return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d of %s is %s, not waiting to be counted", c.ID, c.LocationCode, c.State)
		}
		if err := mayTake(ctx, tx, in.Actor, c); err != nil {
			return Count{}, err
		}
		id = c.ID
	} else {
		loc, err := inventory.VerifyLocationScan(ctx, tx, p, "location_scan", in.LocationScan, nil)
		if err != nil {
			return Count{}, err
		}
		if err := notCounted(loc); err != nil {
			return Count{}, err
		}
		var active int64
		var state State
		err = tx.QueryRowContext(ctx, `SELECT id, state FROM counts WHERE location_id = ? AND state IN ('open', 'counting')`, loc.ID).Scan(&active, &state)
		switch {
		case err == nil && state == StateCounting:
			return Count{}, floorops.Errorf(floorops.EPRECONDITION, "%s is already being counted (count %d): finish that one", loc.Code, active)
		case err == nil:
			// The location's open task (planned, added or a recount).
			c, err := loadCount(ctx, tx, active)
			if err != nil {
				return Count{}, err
			}
			if err := mayTake(ctx, tx, in.Actor, c); err != nil {
				return Count{}, err
			}
			id = c.ID
		case !errors.Is(err, sql.ErrNoRows):
			return Count{}, fmt.Errorf("read counts: %w", err)
		default:
			if err := notAwaitingDecision(ctx, tx, loc); err != nil {
				return Count{}, err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at) VALUES (?, 'open', ?)`, loc.ID, store.FormatTime(tx.Now))
			if err != nil {
				return Count{}, fmt.Errorf("create count: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return Count{}, err
			}
		}
	}
	if err := snapshot(ctx, tx, id, in.Actor); err != nil {
		return Count{}, err
	}
	if err := logStep(ctx, tx, id, "started", in.Actor, ""); err != nil {
		return Count{}, err
	}
	return loadCount(ctx, tx, id)
}

// snapshot marks count id counting by a and copies the record at its
// location into count_lines, with the last movement id so that any later
// movement at the location shows the stock moved during the count.
func snapshot(ctx context.Context, tx *store.Tx, id int64, a inventory.Actor) error {
	var locID int64
	if err := tx.QueryRowContext(ctx, `SELECT location_id FROM counts WHERE id = ?`, id).Scan(&locID); err != nil {
		return fmt.Errorf("read count: %w", err)
	}
	reqID, _, err := inventory.OpenCountRequestAt(ctx, tx, locID)
	if err != nil {
		return err
	}
	var req any
	if reqID != 0 {
		req = reqID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET state = 'counting', counted_by = ?, device_id = ?, started_at = ?, count_request_id = ?,
		start_movement_id = (SELECT COALESCE(MAX(id), 0) FROM movements) WHERE id = ?`,
		a.Badge, a.Device, store.FormatTime(tx.Now), req, id); err != nil {
		return fmt.Errorf("start count: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM count_lines WHERE count_id = ?`, id); err != nil {
		return fmt.Errorf("clear count lines: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO count_lines (count_id, item_id, lot, expiry, status, lpn, snapshot_qty)
		SELECT ?, item_id, lot, expiry, status, lpn, qty FROM balances WHERE location_id = ? AND qty > 0`, id, locID); err != nil {
		return fmt.Errorf("snapshot location: %w", err)
	}
	return snapshotSerials(ctx, tx, id, locID)
}

// CountedLine is one item the associate counted: what they scanned on it
// (a GTIN barcode, or the SKU typed for an item without one), its lot and
// expiry where tracked, its LPN, and how many.
type CountedLine struct {
	ItemScan string `json:"item_scan" validate:"required,max=256"`
	Lot      string `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry   string `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	LPN      string `json:"lpn" validate:"max=32"`
	Qty      int64  `json:"quantity" validate:"gte=0,lte=10000000"`
	// Serials scanned, one per unit, for a serial-tracked item.
	Serials []string `json:"serials,omitempty" validate:"max=10000,dive,required,max=64,printascii"`
}

// MaxPositionUnits bounds what one count may find of one position (item,
// lot, expiry, LPN) at a location, in eaches after packs, over all the
// lines that name it: beyond it the count is a typo or a replayed scan,
// not stock on a shelf. A count carries at most 10,000 lines: a bulk
// location can hold thousands of items.
const MaxPositionUnits = 10_000_000

// SubmitInput is what the associate counted at the location of a count.
type SubmitInput struct {
	CountID        int64           `json:"count_id" validate:"gt=0"`
	Lines          []CountedLine   `json:"lines" validate:"max=10000,dive"`
	ConfirmedEmpty bool            `json:"confirmed_empty"`
	Actor          inventory.Actor `json:"actor"`
}

// Submitted is what a submitted count led to.
type Submitted struct {
	Count     Count   `json:"count"`
	Outcome   Outcome `json:"outcome"`
	RecountID int64   `json:"recount_id"`
}

// SubmitCount records what was counted. If stock moved at the location
// since the count started, nothing is posted and the location is recounted
// (the count cannot tell what it saw). Otherwise, every line within the
// tolerance of its item's class posts the difference from the snapshot; a
// first count beyond tolerance opens a recount by another associate; a
// recount that agrees with the count before it waits for a lead, one that
// does not is recounted again.
func (s *Service) SubmitCount(ctx context.Context, requestID string, in SubmitInput) (Submitted, error) {
	for i := range in.Lines {
		in.Lines[i].LPN = scan.Code(in.Lines[i].LPN)
		in.Lines[i].Lot = strings.TrimSpace(in.Lines[i].Lot)
	}
	if err := floorops.Validate(in); err != nil {
		return Submitted{}, err
	}
	switch {
	case len(in.Lines) == 0 && !in.ConfirmedEmpty:
		return Submitted{}, floorops.Invalid("lines", "is empty: count what is there, or confirm the location is empty")
	case len(in.Lines) > 0 && in.ConfirmedEmpty:
		return Submitted{}, floorops.Invalid("confirmed_empty", "is set but %d lines were counted", len(in.Lines))
	}
	sub, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "SubmitCount", Body: in},
		func(tx *store.Tx) (Submitted, error) { return s.submitCount(ctx, tx, requestID, in) })
	sub.Count = sub.Count.seenBy(in.Actor)
	return sub, err
}

func (s *Service) submitCount(ctx context.Context, tx *store.Tx, requestID string, in SubmitInput) (Submitted, error) {
	c, err := loadCount(ctx, tx, in.CountID)
	if err != nil {
		return Submitted{}, err
	}
	if c.State != StateCounting {
		return Submitted{}, floorops.Errorf(floorops.EPRECONDITION, "count %d of %s is %s: start it before submitting", c.ID, c.LocationCode, c.State)
	}
	if c.CountedBy != in.Actor.Badge && !MayDecide(in.Actor) {
		return Submitted{}, floorops.Errorf(floorops.EPRECONDITION, "count %d is being counted by %s", c.ID, c.CountedBy)
	}
	totals, serials := map[position]int64{}, map[string]bool{}
	for i, l := range in.Lines {
		if err := recordCounted(ctx, tx, s.scan, c, fmt.Sprintf("lines[%d]", i), l, totals, serials); err != nil {
			return Submitted{}, err
		}
	}
	// Whoever submits the figures counted them: a lead finishing an
	// associate's count is its counter (in the answer, the event and a
	// recount's not_by).
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET submitted_at = ?, counted_by = ?, device_id = ? WHERE id = ?`,
		store.FormatTime(tx.Now), in.Actor.Badge, in.Actor.Device, c.ID); err != nil {
		return Submitted{}, fmt.Errorf("submit count: %w", err)
	}
	if err := logStep(ctx, tx, c.ID, "submitted", in.Actor, fmt.Sprintf("%d lines", len(in.Lines))); err != nil {
		return Submitted{}, err
	}
	if c, err = loadCount(ctx, tx, c.ID); err != nil {
		return Submitted{}, err
	}
	moved, err := movedSince(ctx, tx, c)
	if err != nil {
		return Submitted{}, err
	}
	if moved {
		rc, err := s.recount(ctx, tx, c, "", "stock moved during the count", in.Actor)
		return Submitted{Count: c.withState(StateRecounted), Outcome: OutcomeStockMoved, RecountID: rc}, err
	}
	pol, err := loadPolicy(ctx, tx)
	if err != nil {
		return Submitted{}, err
	}
	within, err := withinTolerance(ctx, tx, pol, c)
	if err != nil {
		return Submitted{}, err
	}
	if within {
		if err := s.post(ctx, tx, c, in.Actor, inventory.Actor{}, requestID); err != nil {
			return Submitted{}, err
		}
		return Submitted{Count: c.withState(StatePosted), Outcome: OutcomePosted}, nil
	}
	if c.RecountOf != 0 {
		prev, err := loadCount(ctx, tx, c.RecountOf)
		if err != nil {
			return Submitted{}, err
		}
		if agree(prev, c) {
			if err := setState(ctx, tx, c.ID, StatePendingApproval); err != nil {
				return Submitted{}, err
			}
			if err := logStep(ctx, tx, c.ID, "pending_approval", in.Actor, "recount agrees beyond tolerance"); err != nil {
				return Submitted{}, err
			}
			return Submitted{Count: c.withState(StatePendingApproval), Outcome: OutcomePendingApproval}, nil
		}
	}
	rc, err := s.recount(ctx, tx, c, c.CountedBy, "beyond tolerance", in.Actor)
	return Submitted{Count: c.withState(StateRecounted), Outcome: OutcomeRecount, RecountID: rc}, err
}

func (c Count) withState(s State) Count { c.State = s; return c }

// inProgress is the one definition, as an SQL condition on counts, of a
// count not yet finished: open, being counted, or waiting for a lead. A
// location has at most one (open and counting by the counts_one_active
// index; a count waiting for approval by notAwaitingDecision, checked
// wherever a count is opened), so a location never has two open counts.
const inProgress = `state IN ('open', 'counting', 'pending_approval')`

// MaxPlanDaysAhead is how far ahead a day's counts may be planned.
const MaxPlanDaysAhead = 366

// notAwaitingDecision refuses, with EPRECONDITION, a new count of loc while
// a count of it waits for a lead: approving it posts that count's
// difference, and a second count would post the same shortfall again.
func notAwaitingDecision(ctx context.Context, q inventory.Querier, loc inventory.Location) error {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM counts WHERE location_id = ? AND state = 'pending_approval'`, loc.ID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("read counts: %w", err)
	}
	return floorops.Errorf(floorops.EPRECONDITION, "%s has count %d waiting for a lead's approval: it is counted again only if the lead rejects it", loc.Code, id)
}

func setState(ctx context.Context, tx *store.Tx, id int64, s State) error {
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET state = ? WHERE id = ?`, string(s), id); err != nil {
		return fmt.Errorf("count state: %w", err)
	}
	return nil
}

// OnFloorHours is how recently an associate signed in to count as on the
// floor (a shift) when a recount is given to someone.
const OnFloorHours = 10

// recount closes c unposted and opens a recount of its location, planned
// for today (so it is in the day's list), which the associate notBy may
// not take ("" for anyone). A recount because stock moved (notBy empty)
// is assigned to c's counter, who is at the bin. A recount for a difference
// (notBy set) is assigned at once to an associate on the floor who has not
// counted the location in this chain (the fewest open counts assigned
// first, then by badge); with no one, it is left unassigned for a lead. It
// returns the recount's id.
func (s *Service) recount(ctx context.Context, tx *store.Tx, c Count, notBy, why string, a inventory.Actor) (int64, error) {
	if err := setState(ctx, tx, c.ID, StateRecounted); err != nil {
		return 0, err
	}
	if err := logStep(ctx, tx, c.ID, "recount", a, why); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, recount_of, not_by, created_at, plan_date) VALUES (?, 'open', ?, ?, ?, ?)`,
		c.LocationID, c.ID, notBy, store.FormatTime(tx.Now), tx.Now.UTC().Format(time.DateOnly))
	if err != nil {
		return 0, fmt.Errorf("open recount: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return id, err
	}
	badge, why := c.CountedBy, " (counted it while stock moved: counts it again)"
	if notBy != "" {
		badge, why = "", " (on the floor, has not counted this location in the chain)"
		if badge, err = s.secondPair(ctx, tx, Count{ID: id, RecountOf: c.ID, NotBy: notBy}); err != nil {
			return 0, err
		}
	}
	if badge == "" {
		return id, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET assigned_to = ? WHERE id = ?`, badge, id); err != nil {
		return 0, fmt.Errorf("assign recount: %w", err)
	}
	return id, logStep(ctx, tx, id, "assigned", a, badge+why)
}

// secondPair is who recount rc goes to: an associate on the floor
// (Hooks.OnFloor) who counted none of the counts rc recounts, with the
// fewest open counts assigned to them, then the first by badge; "" when
// there is none.
func (s *Service) secondPair(ctx context.Context, tx *store.Tx, rc Count) (string, error) {
	floor, err := s.hooks.OnFloor(ctx, tx, tx.Now.Add(-OnFloorHours*time.Hour), tx.Now)
	if err != nil || len(floor) == 0 {
		return "", err
	}
	counted, err := countedInChain(ctx, tx, rc)
	if err != nil {
		return "", err
	}
	best, load := "", int64(-1)
	for _, b := range floor {
		if counted[b] || b == rc.NotBy {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM counts WHERE assigned_to = ? AND state IN ('open', 'counting')`, b).Scan(&n); err != nil {
			return "", fmt.Errorf("read assigned counts: %w", err)
		}
		if load < 0 || n < load || n == load && b < best {
			best, load = b, n
		}
	}
	return best, nil
}

// agree reports whether two counts of a location counted the same.
func agree(a, b Count) bool {
	type key struct {
		item             int64
		lot, expiry, lpn string
	}
	n := map[key]int64{}
	for _, l := range a.Lines {
		n[key{l.ItemID, l.Lot, l.Expiry, l.LPN}] += l.Counted
	}
	for _, l := range b.Lines {
		n[key{l.ItemID, l.Lot, l.Expiry, l.LPN}] -= l.Counted
	}
	for _, d := range n {
		if d != 0 {
			return false
		}
	}
	return true
}

// movedSince reports whether any movement touched c's location after its
// count started.
func movedSince(ctx context.Context, q inventory.Querier, c Count) (bool, error) {
	var moved bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM movements WHERE from_location_id = ? AND id > ?)
		OR EXISTS (SELECT 1 FROM movements WHERE to_location_id = ? AND id > ?)`,
		c.LocationID, c.startMovement, c.LocationID, c.startMovement).Scan(&moved)
	if err != nil {
		return false, fmt.Errorf("movements during count: %w", err)
	}
	return moved, nil
}

// position is one item, lot, expiry and LPN counted at a location.
type position struct {
	item             int64
	lot, expiry, lpn string
}

// recordCounted resolves one counted line (field is its request path) and
// adds its units to the count's available-status line of that item, lot,
// expiry and LPN, creating it (snapshot 0) for an item the record did not
// expect there. totals is the units counted so far per position; a line
// that takes its position beyond MaxPositionUnits is refused. serials is
// the serials counted so far (checkSerials).
func recordCounted(ctx context.Context, tx *store.Tx, p *scan.Parser, c Count, field string, l CountedLine, totals map[position]int64, serials map[string]bool) error {
	countID := c.ID
	item, pack, lot, err := resolveItem(ctx, tx, p, field, l)
	if err != nil {
		return err
	}
	if err := checkTracking(item, field, lot, l.Expiry); err != nil {
		return err
	}
	pos := position{item.ID, lot, l.Expiry, l.LPN}
	if pack > 0 && l.Qty > (MaxPositionUnits-totals[pos])/pack {
		return floorops.Invalid(field+".quantity", "takes %s to more than %d units (%d per pack) at one position: count again", item.SKU, MaxPositionUnits, pack)
	}
	if err := checkSerials(item, field, l, l.Qty*pack, serials); err != nil {
		return err
	}
	if err := recordSerials(ctx, tx, countID, c.LocationID, item.ID, lot, l.Expiry, l.LPN, l.Serials); err != nil {
		return err
	}
	totals[pos] += l.Qty * pack
	if _, err := tx.ExecContext(ctx, `INSERT INTO count_lines (count_id, item_id, lot, expiry, status, lpn, snapshot_qty, counted_qty)
		VALUES (?, ?, ?, ?, 'available', ?, 0, ?)
		ON CONFLICT (count_id, item_id, lot, expiry, status, lpn) DO UPDATE SET counted_qty = COALESCE(counted_qty, 0) + excluded.counted_qty`,
		countID, item.ID, lot, l.Expiry, l.LPN, l.Qty*pack); err != nil {
		return fmt.Errorf("record counted line: %w", err)
	}
	return nil
}

// resolveItem is the item a counted line's scan names, the eaches per
// counted pack, and its lot (from a GS1 label when the line gives none).
func resolveItem(ctx context.Context, q inventory.Querier, p *scan.Parser, field string, l CountedLine) (inventory.Item, int64, string, error) {
	if it, err := inventory.ItemBySKU(ctx, q, scan.Code(l.ItemScan)); err == nil {
		if len(it.GTINs) > 0 {
			return it, 0, "", floorops.Invalid(field+".item_scan", "%s has a barcode: scan it (a typed SKU is only for items without one)", it.SKU)
		}
		return it, 1, l.Lot, nil
	} else if !floorops.IsCode(err, floorops.ENOTFOUND) {
		return inventory.Item{}, 0, "", err
	}
	sc, err := p.Parse(l.ItemScan)
	if err != nil {
		return inventory.Item{}, 0, "", floorops.Invalid(field+".item_scan", "%v: scan the item's barcode", err)
	}
	if (sc.Kind != scan.KindGTIN && sc.Kind != scan.KindGS1) || sc.GTIN == "" {
		return inventory.Item{}, 0, "", floorops.Invalid(field+".item_scan", "scanned a %s, not an item barcode", sc.Kind)
	}
	it, pack, err := inventory.ItemByGTIN(ctx, q, sc.GTIN)
	if floorops.IsCode(err, floorops.ENOTFOUND) {
		return inventory.Item{}, 0, "", floorops.Invalid(field+".item_scan", "GTIN %s is not an item at this node: set the units aside and tell a lead", sc.GTIN)
	}
	if err != nil {
		return inventory.Item{}, 0, "", err
	}
	if err := inventory.LotReadable(&sc, it, field+".item_scan"); err != nil {
		return inventory.Item{}, 0, "", err
	}
	lot := l.Lot
	if lot == "" {
		lot = sc.Lot
	} else if sc.Lot != "" && sc.Lot != lot {
		return inventory.Item{}, 0, "", floorops.Invalid(field+".lot", "is %s but the label scanned shows lot %s", lot, sc.Lot)
	}
	return it, pack, lot, nil
}

// checkTracking refuses a counted line without the lot or expiry its item
// is tracked by, or with one its item has none of.
func checkTracking(it inventory.Item, field, lot, expiry string) error {
	switch {
	case it.LotTracked && lot == "":
		return floorops.Invalid(field+".lot", "is required: %s is lot tracked", it.SKU)
	case !it.LotTracked && lot != "":
		return floorops.Invalid(field+".lot", "%s is not lot tracked: leave lot empty", it.SKU)
	case it.ExpiryTracked && expiry == "":
		return floorops.Invalid(field+".expiry", "is required: %s carries an expiry date", it.SKU)
	case !it.ExpiryTracked && expiry != "":
		return floorops.Invalid(field+".expiry", "%s carries no expiry date: leave expiry empty", it.SKU)
	}
	return nil
}

// mayTake refuses, with EPRECONDITION, an open count a may not start: a
// recount is for a pair of eyes that has not counted the bin in this
// chain (every counter whose count it recounts, not only the last, as
// after a lead rejects two agreeing counts), unless a lead or admin.
func mayTake(ctx context.Context, q inventory.Querier, a inventory.Actor, c Count) error {
	switch {
	case !MayTakeRecount(a, c.NotBy):
		return floorops.Errorf(floorops.EPRECONDITION, "count %d recounts your own count of %s: another associate or a lead counts it", c.ID, c.LocationCode)
	case !MayTake(a, c):
		return floorops.Errorf(floorops.EPRECONDITION, "count %d of %s is assigned to %s", c.ID, c.LocationCode, c.AssignedTo)
	}
	if c.NotBy == "" || MayDecide(a) {
		return nil
	}
	counted, err := countedInChain(ctx, q, c)
	if err != nil {
		return err
	}
	if counted[a.Badge] {
		return floorops.Errorf(floorops.EPRECONDITION, "count %d recounts a count of %s you made: another associate or a lead counts it", c.ID, c.LocationCode)
	}
	return nil
}

// countedInChain is the badges who counted the counts recount c recounts:
// back along recount_of while each count was itself recounted for a
// difference (a recount opened because stock moved, not_by empty, starts
// the chain afresh: the count before it saw nothing to compare).
func countedInChain(ctx context.Context, q inventory.Querier, c Count) (map[string]bool, error) {
	out := map[string]bool{}
	err := inventory.EachRow(ctx, q, `WITH RECURSIVE chain (id, go_on) AS (
			SELECT recount_of, 1 FROM counts WHERE id = ? AND recount_of IS NOT NULL
			UNION
			SELECT p.recount_of, p.not_by <> '' FROM chain JOIN counts p ON p.id = chain.id WHERE chain.go_on AND p.recount_of IS NOT NULL AND p.not_by <> ''
		)
		SELECT counted_by FROM counts WHERE id IN (SELECT id FROM chain) AND counted_by <> ''`, []any{c.ID}, func(r *sql.Rows) error {
		var b string
		err := r.Scan(&b)
		out[b] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read earlier counts: %w", err)
	}
	return out, nil
}

// HiddenFrom is which of the locations codes a may see no quantities of
// (balances, movements) right now: for an associate, every one with a
// count on the list (planned, added or triggered, not yet started), being
// counted, waiting for a lead, or a recount waiting to be started (so from
// the moment a count is planned until its chain of recounts posts), since
// a count is blind only if the record cannot be read beside it, nor looked
// up beforehand by whoever is given the task. A
// lead, admin or central (SeesExpected) sees every location. Check codes
// are not quantities: the associate who counts must scan one, so they stay
// visible.
func HiddenFrom(ctx context.Context, q inventory.Querier, a inventory.Actor, codes []string) (map[string]bool, error) {
	if SeesExpected(a) || len(codes) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(codes)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	err = inventory.EachRow(ctx, q, `SELECT DISTINCT l.code FROM json_each(?) j JOIN locations l ON l.code = j.value
		JOIN counts c ON c.location_id = l.id WHERE c.state IN ('open', 'counting', 'pending_approval')`,
		[]any{string(b)}, func(r *sql.Rows) error {
			var code string
			err := r.Scan(&code)
			out[code] = true
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read counts in progress: %w", err)
	}
	return out, nil
}
