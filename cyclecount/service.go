package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service runs cycle counts on the node's database: starting a count of a
// location (the record snapshotted), submitting what was counted, recounts,
// a lead's approval, and the tolerances that decide between them. It owns
// the tables of migration 0011 (counts, count_lines, count_history,
// count_events, count_policy).
type Service struct {
	db    *store.DB
	scan  *scan.Parser
	hooks Hooks
}

// Hooks are what a count hands to other workflows.
type Hooks struct {
	// Unbacked is called inside a count's posting transaction when the
	// count found fewer units in a balance than orders are allocated: qty
	// allocated units of k have no stock behind them any more. Picking
	// releases them and reallocates the order lines elsewhere or
	// backorders them.
	Unbacked func(ctx context.Context, tx *store.Tx, k inventory.StockKey, qty int64) error
	// AssignableBadge checks a badge a lead assigns a count to: ENOTFOUND
	// when the node has no such user, EINVALID when it is disabled. Users
	// are auth's; server wires it.
	AssignableBadge func(ctx context.Context, q inventory.Querier, badge string) error
	// OnFloor is the badges of the enabled associates on the floor at now,
	// active since since (signed in): a recount beyond tolerance goes to
	// one of them who has not counted the location in its chain. Users and
	// sessions are auth's; server wires it.
	OnFloor func(ctx context.Context, q inventory.Querier, since, now time.Time) ([]string, error)
}

// NewService returns the cycle count service over db, reading scans with
// the node's scanner p. It panics on a missing hook, so a node that forgot
// to wire one does not start.
func NewService(db *store.DB, p *scan.Parser, h Hooks) *Service {
	if h.Unbacked == nil {
		panic("cyclecount: Hooks.Unbacked is required")
	}
	if h.AssignableBadge == nil {
		panic("cyclecount: Hooks.AssignableBadge is required")
	}
	if h.OnFloor == nil {
		panic("cyclecount: Hooks.OnFloor is required")
	}
	return &Service{db: db, scan: p, hooks: h}
}

// State is where one count of a location is.
type State string

// The states of a count.
const (
	// StateOpen: a recount waiting for an associate to start it.
	StateOpen State = "open"
	// StateCounting: started, the record snapshotted, being counted.
	StateCounting State = "counting"
	// StatePosted: the difference was posted to the ledger.
	StatePosted State = "posted"
	// StateRecounted: not posted; the location is counted again.
	StateRecounted State = "recounted"
	// StatePendingApproval: two counts agree beyond tolerance; a lead
	// decides.
	StatePendingApproval State = "pending_approval"
	// StateRemoved: a lead took it off the plan before it was started.
	StateRemoved State = "removed"
)

// Outcome is what a submitted count led to.
type Outcome string

// The outcomes of a submitted count.
const (
	OutcomePosted          Outcome = "posted"
	OutcomeRecount         Outcome = "recount"
	OutcomeStockMoved      Outcome = "stock_moved"
	OutcomePendingApproval Outcome = "pending_approval"
)

// Line is one item, lot, expiry and LPN of a count: what the record held
// (all statuses) when the count started, and what the associate counted.
type Line struct {
	ItemID   int64  `json:"item_id"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot"`
	Expiry   string `json:"expiry"`
	LPN      string `json:"lpn"`
	Counted  int64  `json:"counted_quantity"`
	Snapshot int64  `json:"snapshot_quantity"`
	// For a serial-tracked item: the serials counted at this position; the
	// serials the node's serial record had at the location that the count
	// did not find, and those it found that the record had at another
	// location (both shown to leads only). See serials.go.
	Serials              []string `json:"serials"`
	MissingSerials       []string `json:"missing_serials"`
	SerialsFromElsewhere []string `json:"serials_from_elsewhere"`
}

// Adjustment is what posting the line changes: counted minus snapshot.
func (l Line) Adjustment() int64 { return l.Counted - l.Snapshot }

// Count is one associate's count of one location.
type Count struct {
	ID             int64     `json:"id"`
	LocationID     int64     `json:"location_id"`
	LocationCode   string    `json:"location_code"`
	State          State     `json:"state"`
	RecountOf      int64     `json:"recount_of"`
	CountRequestID int64     `json:"count_request_id"`
	CountedBy      string    `json:"counted_by"`
	NotBy          string    `json:"not_by"`
	DecidedBy      string    `json:"decided_by"`
	DecisionReason string    `json:"decision_reason"`
	StartedAt      time.Time `json:"start_time"`
	SubmittedAt    time.Time `json:"submit_time"`
	Lines          []Line    `json:"lines"`
	// A planned task: its day (YYYY-MM-DD), why it is on the plan, its
	// risk score and the score's named factors, and who is to count it.
	PlanDate   string   `json:"plan_date"`
	TaskKind   string   `json:"task_kind"`
	Score      float64  `json:"score"`
	Reasons    []string `json:"reasons"`
	AssignedTo string   `json:"assigned_to"`
	// startMovement is the last ledger movement id when counting started.
	startMovement int64
	// blind is set on a count as an associate sees it (seenBy): its lines
	// carry no snapshot, and answers leave snapshot and adjustment unset.
	blind bool
}

// SeesExpected reports whether a may see what a count expects: the record's
// quantities snapshotted at the start and the adjustments. Counts are blind:
// an associate counts what is on the shelf, not what the record says, so
// the count is evidence and not a confirmation; leads, admins and central
// see both. Every answer of the service goes through it (seenBy).
func SeesExpected(a inventory.Actor) bool { return a.Role != inventory.Associate }

// MayDecide reports whether a may approve or reject a count that waits
// for a lead: a lead or an admin.
func MayDecide(a inventory.Actor) bool { return a.Role == inventory.Lead || a.Role == inventory.Admin }

// MayTakeRecount reports whether a may count a recount whose first count
// was by notBy: anyone but that associate, so a recount is a second pair
// of eyes; a lead or admin may take any (the floor has no one else).
func MayTakeRecount(a inventory.Actor, notBy string) bool {
	return notBy == "" || a.Badge != notBy || MayDecide(a)
}

// MayTake reports whether a may start open count c: not a recount of
// their own count (MayTakeRecount), and not a task a lead assigned to
// someone else, unless a is a lead or admin.
func MayTake(a inventory.Actor, c Count) bool {
	return MayTakeRecount(a, c.NotBy) && (c.AssignedTo == "" || c.AssignedTo == a.Badge || MayDecide(a))
}

// seenBy is c as a may see it: for an associate, the lines of a count not
// yet submitted are hidden, no line carries the snapshot (the answer leaves
// snapshot and adjustment unset, not a made-up figure), and a planned
// task's score and reasons (which name the units recorded) are left out.
func (c Count) seenBy(a inventory.Actor) Count {
	if SeesExpected(a) {
		return c
	}
	c.Score, c.Reasons, c.blind = 0, nil, true
	if c.State == StateOpen || c.State == StateCounting {
		c.Lines = nil
		return c
	}
	lines := make([]Line, 0, len(c.Lines))
	for _, l := range c.Lines {
		if l.Counted == 0 && l.Snapshot > 0 {
			continue // an item the record expects that they did not count
		}
		l.Snapshot = 0 // not shown: blind
		l.MissingSerials, l.SerialsFromElsewhere = nil, nil
		lines = append(lines, l)
	}
	c.Lines = lines
	return c
}

// loadCount reads one count and its lines (grouped over statuses).
func loadCount(ctx context.Context, q inventory.Querier, id int64) (Count, error) {
	var c Count
	var recount, req sql.NullInt64
	var started, submitted, reasons string
	err := q.QueryRowContext(ctx, `SELECT c.id, c.location_id, l.code, c.state, c.recount_of, c.count_request_id, c.start_movement_id,
			c.counted_by, c.not_by, c.decided_by, c.decision_reason, c.started_at, c.submitted_at,
			c.plan_date, c.task_kind, c.score, c.reasons, c.assigned_to
		FROM counts c JOIN locations l ON l.id = c.location_id WHERE c.id = ?`, id).Scan(
		&c.ID, &c.LocationID, &c.LocationCode, &c.State, &recount, &req, &c.startMovement,
		&c.CountedBy, &c.NotBy, &c.DecidedBy, &c.DecisionReason, &started, &submitted,
		&c.PlanDate, &c.TaskKind, &c.Score, &reasons, &c.AssignedTo)
	if errors.Is(err, sql.ErrNoRows) {
		return Count{}, floorops.Errorf(floorops.ENOTFOUND, "count %d not found", id)
	}
	if err != nil {
		return Count{}, fmt.Errorf("read count: %w", err)
	}
	c.RecountOf, c.CountRequestID = recount.Int64, req.Int64
	if err := json.Unmarshal([]byte(reasons), &c.Reasons); err != nil {
		return Count{}, fmt.Errorf("read count reasons: %w", err)
	}
	if c.State == StateOpen && c.CountRequestID == 0 {
		// The floor asked for a count of the location (a short pick) after
		// this one was opened: this count answers that request now.
		reqID, reason, err := inventory.OpenCountRequestAt(ctx, q, c.LocationID)
		if err != nil {
			return Count{}, err
		}
		if reqID != 0 {
			c.CountRequestID = reqID
			if c.RecountOf == 0 && c.TaskKind != TaskTriggered.String() {
				c.TaskKind = TaskTriggered.String()
				c.Reasons = append([]string{"count requested: " + triggerOf(reason).String()}, c.Reasons...)
			}
		}
	}
	if c.StartedAt, err = store.ParseTimeOrZero(started); err != nil {
		return Count{}, err
	}
	if c.SubmittedAt, err = store.ParseTimeOrZero(submitted); err != nil {
		return Count{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT cl.item_id, i.sku, cl.lot, cl.expiry, cl.lpn, SUM(COALESCE(cl.counted_qty, 0)), SUM(cl.snapshot_qty)
		FROM count_lines cl JOIN items i ON i.id = cl.item_id WHERE cl.count_id = ?
		GROUP BY cl.item_id, cl.lot, cl.expiry, cl.lpn ORDER BY i.sku, cl.lot, cl.expiry, cl.lpn`, id)
	if err != nil {
		return Count{}, fmt.Errorf("read count lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ItemID, &l.SKU, &l.Lot, &l.Expiry, &l.LPN, &l.Counted, &l.Snapshot); err != nil {
			return Count{}, err
		}
		c.Lines = append(c.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return Count{}, err
	}
	rows.Close()
	if err := loadSerials(ctx, q, &c); err != nil {
		return Count{}, fmt.Errorf("read count serials: %w", err)
	}
	return c, nil
}

// logStep ledgers one step of a count with who and when.
func logStep(ctx context.Context, tx *store.Tx, countID int64, step string, a inventory.Actor, detail string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO count_events (count_id, step, user_badge, device_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, countID, step, a.Badge, a.Device, detail, store.FormatTime(tx.Now)); err != nil {
		return fmt.Errorf("record count step: %w", err)
	}
	return nil
}
