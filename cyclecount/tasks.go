package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// MayPlan reports whether a may plan, add and assign counts: a lead or an
// admin.
func MayPlan(a inventory.Actor) bool { return MayDecide(a) }

// PlanInput is a lead's request for a day's count plan.
type PlanInput struct {
	Date    string          `json:"date" validate:"required,datetime=2006-01-02"`
	Counts  int             `json:"capacity_counts" validate:"gte=0,lte=1000000"`
	Minutes float64         `json:"capacity_minutes" validate:"gte=0,lte=1000000"`
	Actor   inventory.Actor `json:"actor"`
}

// Preview computes day's plan from the database without storing it: the
// candidates gathered as of now (or the end of day, if that is sooner),
// each location's days since its last count measured to the day planned,
// planned by the risk scheduler (Plan, with the stored RiskPolicy) within
// capacity: what PlanCounts would plan now. A location that already has
// a count open (for any day, but for the day's planned counts a new plan
// replaces) or in progress is left out, so the next location fills its
// slot: it is never given a second count. The counts already on the day's
// list that a plan keeps (Kept) take their share of capacity: the tasks are
// what a plan would add to them. `floorops counts plan` prints both.
func Preview(ctx context.Context, q inventory.Querier, day, now time.Time, capacity Capacity) ([]Task, error) {
	tasks, _, err := preview(ctx, q, day, now, capacity)
	return tasks, err
}

// preview is Preview, with the candidates it planned from.
func preview(ctx context.Context, q inventory.Querier, day, now time.Time, capacity Capacity) ([]Task, []Candidate, error) {
	cands, err := gatherFor(ctx, q, day, now)
	if err != nil {
		return nil, nil, err
	}
	active, err := activeLocations(ctx, q, day.Format(time.DateOnly))
	if err != nil {
		return nil, nil, err
	}
	stored, err := loadPolicy(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	kept, err := keptForDay(ctx, q, day.Format(time.DateOnly))
	if err != nil {
		return nil, nil, err
	}
	pol, err := learned(ctx, q, stored.RiskPolicy(), now)
	if err != nil {
		return nil, nil, err
	}
	return planFree(cands, active, capacity.less(kept, pol), pol, day), cands, nil
}

// gatherFor gathers the candidates of day's plan made at now: as of now
// (or the end of day, if that is sooner), each location's days since its
// last count measured to the day planned.
func gatherFor(ctx context.Context, q inventory.Querier, day, now time.Time) ([]Candidate, error) {
	asOf := day.AddDate(0, 0, 1)
	if now.Before(asOf) {
		asOf = now
	}
	ageAt := day
	if asOf.After(ageAt) {
		ageAt = asOf
	}
	return candidates(ctx, q, asOf, ageAt)
}

// replaceable is the SQL of a count a new plan for its day replaces: planned
// for that day (the parameter), not started, not a recount, not added by a
// lead.
const replaceable = `plan_date = ? AND state = 'open' AND recount_of IS NULL AND task_kind NOT IN ('', 'added') AND plan_rank >= 0`

// activeLocations is the locations with a count open (for any day), in
// progress or waiting for a lead (inProgress), but for the counts a new plan of replanned replaces (none when
// replanned is "").
func activeLocations(ctx context.Context, q inventory.Querier, replanned string) (map[int64]bool, error) {
	query, args := `SELECT DISTINCT location_id FROM counts WHERE `+inProgress, []any(nil)
	if replanned != "" {
		query, args = query+` AND NOT (`+replaceable+`)`, []any{replanned}
	}
	active := map[int64]bool{}
	if err := inventory.EachRow(ctx, q, query, args, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		active[id] = true
		return err
	}); err != nil {
		return nil, fmt.Errorf("plan: counts in progress: %w", err)
	}
	return active, nil
}

// planFree plans day within capacity from the candidates at locations not
// active (never a second count on a location), leaving cands as they are.
func planFree(cands []Candidate, active map[int64]bool, capacity Capacity, pol Policy, day time.Time) []Task {
	if len(active) > 0 {
		free := make([]Candidate, 0, len(cands))
		for _, c := range cands {
			if !active[c.LocationID] {
				free = append(free, c)
			}
		}
		cands = free
	}
	return Plan(cands, capacity, pol, day)
}

// gatherHook, when set (by tests), runs while PlanCounts gathers, on its
// read snapshot and before it writes.
var gatherHook func()

// planDraft is a plan made on a read snapshot, before PlanCounts writes it.
type planDraft struct {
	cands []Candidate
	pol   Policy // the node's stored policy (Tolerances.RiskPolicy)
	tasks []Task
	why   map[int64]string // class reasons of the tasks' locations
	// capacity is what the new tasks may take: the lead's, less the
	// counts already on the day's list that the plan keeps.
	capacity Capacity
}

// keptForDay is how many counts planned for date a new plan of it keeps
// (in progress, and not replaceable): counts the floor triggered since the
// last plan, tasks a lead added, recounts, counts already started. They are
// the day's work as much as the new plan's, so they take their share of
// its capacity.
func keptForDay(ctx context.Context, q inventory.Querier, date string) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM counts WHERE plan_date = ? AND state IN ('open', 'counting') AND NOT (`+replaceable+`)`,
		date, date).Scan(&n); err != nil {
		return 0, fmt.Errorf("plan: the day's counts: %w", err)
	}
	return n, nil
}

// less is c with n full counts taken off each limit the lead set; a limit
// used up leaves nothing to plan.
func (c Capacity) less(n int, p Policy) Capacity {
	if n == 0 {
		return c
	}
	out := c
	if c.Counts > 0 {
		out.Counts = c.Counts - n
	}
	if c.Minutes > 0 {
		out.Minutes = c.Minutes - float64(n)*(p.MinutesPerLocation+p.MinutesPerItem)
	}
	if (c.Counts > 0 && out.Counts <= 0) || (c.Minutes > 0 && out.Minutes <= 0) {
		return Capacity{}
	}
	return out
}

// draftPlan plans in.Date on one read transaction of the node (every fact
// of the same moment), holding no write lock: on a large node the gather
// takes seconds, and every scan on the floor writes. The counts the new
// plan replaces are not in its way (their locations are free to plan).
func (s *Service) draftPlan(ctx context.Context, in PlanInput, day time.Time) (*planDraft, error) {
	rtx, err := s.db.Reader().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("plan: read: %w", err)
	}
	defer rtx.Rollback() //nolint:errcheck // read only: nothing to keep
	cands, err := gatherFor(ctx, rtx, day, s.db.Now().UTC())
	if err != nil {
		return nil, err
	}
	if gatherHook != nil {
		gatherHook()
	}
	active, err := activeLocations(ctx, rtx, in.Date)
	if err != nil {
		return nil, err
	}
	stored, err := loadPolicy(ctx, rtx)
	if err != nil {
		return nil, err
	}
	pol, err := learned(ctx, rtx, stored.RiskPolicy(), s.db.Now().UTC())
	if err != nil {
		return nil, err
	}
	d := &planDraft{cands: cands, pol: pol}
	kept, err := keptForDay(ctx, rtx, in.Date)
	if err != nil {
		return nil, err
	}
	d.capacity = Capacity{Counts: in.Counts, Minutes: in.Minutes}.less(kept, d.pol)
	d.tasks = planFree(cands, active, d.capacity, d.pol, day)
	if d.why, err = classReasons(ctx, rtx, d.tasks, cands); err != nil {
		return nil, err
	}
	return d, nil
}

// answered reports whether requestID already has a stored answer: a retry,
// which store.Idempotent answers from it, so nothing needs gathering.
func answered(ctx context.Context, q inventory.Querier, requestID string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency WHERE request_id = ?`, requestID).Scan(&n); err != nil {
		return false, fmt.Errorf("plan: %w", err)
	}
	return n > 0, nil
}

// PlanCounts plans in.Date's counts within its capacity and stores them as
// open counts, in plan order, each with its score and named factors.
// The date is today or later (node time). Replanning a day replaces its
// planned counts not yet started: they are kept as removed, with a
// "replaced" step, and the new plan's counts get new ids. A location that
// already has a count open or in progress keeps that one (never two open
// counts on a location) and the next location takes its place in the
// capacity. Counts already on the day's list that the plan keeps (the
// floor triggered them since the last plan, a lead added them, recounts,
// counts started) take their share of the capacity, and the answer is the
// whole day's list in the order to do it (ListTasks' order), so a short
// pick's count made after the last plan is first in it. A triggered count
// names the count request it answers. Leads only.
//
// The plan is made on a read snapshot (draftPlan) and only stored in the
// write transaction, which re-checks what may have changed since: a
// location that got a count since is planned around (the plan is redone
// from the same candidates, without it). A retry by request id returns the
// stored plan without gathering.
func (s *Service) PlanCounts(ctx context.Context, requestID string, in PlanInput) ([]Count, error) {
	if !MayPlan(in.Actor) {
		return nil, floorops.Errorf(floorops.EPERMISSION, "only a lead plans counts")
	}
	if err := floorops.Validate(in); err != nil {
		return nil, err
	}
	if in.Counts == 0 && in.Minutes == 0 {
		return nil, &floorops.Error{Code: floorops.EINVALID, Message: "capacity_counts or capacity_minutes is required",
			Fields: []floorops.FieldViolation{{Field: "capacity_counts", Description: "capacity_counts or capacity_minutes is required"},
				{Field: "capacity_minutes", Description: "capacity_counts or capacity_minutes is required"}}}
	}
	day, _ := time.Parse(time.DateOnly, in.Date)
	var draft *planDraft
	if requestID != "" && len(requestID) <= 128 { // else Idempotent refuses it
		retry, err := answered(ctx, s.db.Reader(), requestID)
		if err != nil {
			return nil, err
		}
		if !retry && in.Date >= s.db.Now().UTC().Format(time.DateOnly) {
			// Velocity classes are recomputed once a day, before the gather
			// that reads them: read on the reader, stored in a short write
			// of their own.
			pol, err := loadPolicy(ctx, s.db.Reader())
			if err != nil {
				return nil, err
			}
			run, err := readClasses(ctx, s.db.Reader(), s.db.Now().UTC(), pol.ABC)
			if err != nil {
				return nil, err
			}
			if run != nil {
				if err := s.db.Write(ctx, func(tx *store.Tx) error { return run.store(ctx, tx) }); err != nil {
					return nil, err
				}
			}
			if draft, err = s.draftPlan(ctx, in, day); err != nil {
				return nil, err
			}
		}
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "PlanCounts", Body: in},
		func(tx *store.Tx) ([]Count, error) {
			if err := CheckPlanDate(in.Date, tx.Now); err != nil {
				return nil, err
			}
			if draft == nil { // answered on the reader, yet not here: cannot happen, answers are never deleted
				return nil, floorops.Errorf(floorops.EUNAVAILABLE, "plan: the request's stored answer is unreadable; retry")
			}
			if err := replacePlan(ctx, tx, in.Date, in.Actor); err != nil {
				return nil, err
			}
			// Re-check: a location that got a count since the snapshot is
			// planned around, from the same candidates.
			active, err := activeLocations(ctx, tx, "")
			if err != nil {
				return nil, err
			}
			tasks, why := draft.tasks, draft.why
			for _, t := range tasks {
				if active[t.LocationID] {
					tasks = planFree(draft.cands, active, draft.capacity, draft.pol, day)
					if why, err = classReasons(ctx, tx, tasks, draft.cands); err != nil {
						return nil, err
					}
					break
				}
			}
			facts, err := factsByLocation(tasks, draft.cands)
			if err != nil {
				return nil, err
			}
			for rank, t := range tasks {
				rs := t.Reasons()
				if r := why[t.LocationID]; r != "" {
					rs = append(rs, r)
				}
				reasons, err := json.Marshal(rs)
				if err != nil {
					return nil, err
				}
				var req any
				if t.Kind == TaskTriggered {
					id, _, err := inventory.OpenCountRequestAt(ctx, tx, t.LocationID)
					if err != nil {
						return nil, err
					}
					if id != 0 {
						req = id
					}
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at, plan_date, task_kind, plan_rank, score, reasons, count_request_id, plan_facts)
					VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					t.LocationID, store.FormatTime(tx.Now), in.Date, t.Kind.String(), rank+1, t.Score, string(reasons), req, facts[t.LocationID])
				if err != nil {
					return nil, fmt.Errorf("store plan: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue // the location already has a count open
				}
				id, err := res.LastInsertId()
				if err != nil {
					return nil, err
				}
				if err := logStep(ctx, tx, id, "planned", in.Actor, t.Kind.String()); err != nil {
					return nil, err
				}
			}
			return dayList(ctx, tx, in.Date)
		})
}

// Kept is the counts of date (YYYY-MM-DD) that a new plan of it keeps
// (keptForDay), in the order ListTasks gives them, as a lead sees them:
// what `floorops counts plan` prints before the tasks Preview would add.
func Kept(ctx context.Context, q inventory.Querier, date string) ([]Count, error) {
	return listDay(ctx, q, date, ` AND NOT (`+replaceable+`)`, date)
}

// dayList is every count of date waiting or in progress, in the order
// ListTasks gives them: the day's plan as the lead sees it.
func dayList(ctx context.Context, q inventory.Querier, date string) ([]Count, error) {
	return listDay(ctx, q, date, "")
}

func listDay(ctx context.Context, q inventory.Querier, date, and string, args ...any) ([]Count, error) {
	var ids []int64
	if err := inventory.EachRow(ctx, q, `SELECT id FROM counts WHERE plan_date = ? AND state IN ('open', 'counting')`+and+` ORDER BY plan_rank, id`,
		append([]any{date}, args...), func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
		return nil, fmt.Errorf("plan: the day's counts: %w", err)
	}
	out := make([]Count, 0, len(ids))
	for _, id := range ids {
		c, err := loadCount(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// classReasons explains, per planned location, the class it counts under:
// that of its fastest-classed item (most units picked among them), from
// pick velocity or as set on the item.
func classReasons(ctx context.Context, q inventory.Querier, tasks []Task, cands []Candidate) (map[int64]string, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	facts, err := classFacts(ctx, q)
	if err != nil {
		return nil, err
	}
	planned := make(map[int64]Class, len(tasks))
	for _, t := range tasks {
		planned[t.LocationID] = t.Class
	}
	best := map[int64]classFact{}
	for _, c := range cands {
		want, ok := planned[c.LocationID]
		if !ok || c.ItemID == 0 || c.Class != want {
			continue
		}
		f := facts[c.ItemID]
		if b, seen := best[c.LocationID]; !seen || f.units > b.units {
			best[c.LocationID] = f
		}
	}
	out := make(map[int64]string, len(best))
	for loc, f := range best {
		out[loc] = f.String()
	}
	return out, nil
}

// replacePlan takes date's planned counts not yet started off the plan
// (not those a lead added, nor those a count request put at the front
// since, rank -1): each is kept, removed, with a "replaced" step, so its history (who it was
// assigned to) stays and its id is never handed out again.
func replacePlan(ctx context.Context, tx *store.Tx, date string, a inventory.Actor) error {
	var ids []int64
	if err := inventory.EachRow(ctx, tx, `SELECT id FROM counts WHERE `+replaceable+` ORDER BY id`, []any{date}, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}); err != nil {
		return fmt.Errorf("replan: %w", err)
	}
	const why = "replaced by a new plan for the day"
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE counts SET state = 'removed', decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
			a.Badge, why, store.FormatTime(tx.Now), id); err != nil {
			return fmt.Errorf("replan: %w", err)
		}
		if err := logStep(ctx, tx, id, "replaced", a, why); err != nil {
			return err
		}
	}
	return nil
}

// ListTasks pages through open and in-progress counts (of date, or all
// when date is empty) in plan order: each day's plan by rank, then counts
// opened at the shelf, recounts and added tasks, oldest first. What an
// associate sees of them is blind (seenBy).
func (s *Service) ListTasks(ctx context.Context, date string, limit int, pageToken string, a inventory.Actor) ([]Count, string, error) {
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return nil, "", floorops.Invalid("date", "must be YYYY-MM-DD")
		}
	}
	page, err := store.PageRequest("count_tasks|"+date, limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	after, err := page.AfterParts(4)
	if err != nil {
		return nil, "", err
	}
	// The order's key: unplanned last, the plan day, its rank, the id.
	unplanned, day, rank, id := int64(-1), "", int64(0), int64(0)
	if after != nil {
		var e1, e2, e3 error
		unplanned, e1 = strconv.ParseInt(after[0], 10, 64)
		rank, e2 = strconv.ParseInt(after[2], 10, 64)
		id, e3 = strconv.ParseInt(after[3], 10, 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return nil, "", store.BadPageToken()
		}
		day = after[1]
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT id, plan_date = '', plan_date, plan_rank FROM counts
		WHERE state IN ('open', 'counting') AND (? = '' OR plan_date = ?) AND (plan_date = '', plan_date, plan_rank, id) > (?, ?, ?, ?)
		ORDER BY plan_date = '', plan_date, plan_rank, id LIMIT ?`, date, date, unplanned, day, rank, id, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list count tasks: %w", err)
	}
	type pos struct {
		id, unplanned, rank int64
		day                 string
	}
	var keys []pos
	for rows.Next() {
		var p pos
		if err := rows.Scan(&p.id, &p.unplanned, &p.day, &p.rank); err != nil {
			rows.Close()
			return nil, "", err
		}
		keys = append(keys, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	keys, next := store.PageOf(page, keys, func(p pos) string {
		return store.Key(strconv.FormatInt(p.unplanned, 10), p.day, strconv.FormatInt(p.rank, 10), store.IDKey(p.id))
	})
	out := make([]Count, 0, len(keys))
	for _, p := range keys {
		c, err := loadCount(ctx, q, p.id)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c.seenBy(a))
	}
	return out, next, nil
}

// AddInput is a lead adding a count of a location by hand.
type AddInput struct {
	LocationCode string          `json:"location_code" validate:"required,max=32"`
	Reason       string          `json:"reason" validate:"max=256,nocontrol"`
	Actor        inventory.Actor `json:"actor"`
}

// AddTask opens a count of a location, planned for today, with the lead's
// reason. A location with a count open or in progress is refused
// (EPRECONDITION). Leads only.
func (s *Service) AddTask(ctx context.Context, requestID string, in AddInput) (Count, error) {
	in.LocationCode = scan.Code(in.LocationCode)
	in.Reason = strings.TrimSpace(in.Reason)
	if !MayPlan(in.Actor) {
		return Count{}, floorops.Errorf(floorops.EPERMISSION, "only a lead adds counts")
	}
	if err := floorops.Validate(in); err != nil {
		return Count{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "AddTask", Body: in},
		func(tx *store.Tx) (Count, error) {
			loc, err := inventory.LocationByCode(ctx, tx, in.LocationCode)
			if err != nil {
				return Count{}, err
			}
			if err := notCounted(loc); err != nil {
				return Count{}, err
			}
			if err := notAwaitingDecision(ctx, tx, loc); err != nil {
				return Count{}, err
			}
			reason := "added by " + in.Actor.Badge
			if in.Reason != "" {
				reason += ": " + in.Reason
			}
			reasons, _ := json.Marshal([]string{reason})
			res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at, plan_date, task_kind, reasons)
				VALUES (?, 'open', ?, ?, 'added', ?) ON CONFLICT DO NOTHING`,
				loc.ID, store.FormatTime(tx.Now), tx.Now.UTC().Format(time.DateOnly), string(reasons))
			if err != nil {
				return Count{}, fmt.Errorf("add count: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return Count{}, floorops.Errorf(floorops.EPRECONDITION, "%s already has a count open or in progress", loc.Code)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return Count{}, err
			}
			if err := logStep(ctx, tx, id, "added", in.Actor, in.Reason); err != nil {
				return Count{}, err
			}
			return loadCount(ctx, tx, id)
		})
}

// AssignInput is a lead giving an open count to one associate.
type AssignInput struct {
	CountID int64           `json:"count_id" validate:"gt=0"`
	Badge   string          `json:"badge" validate:"max=32"`
	Actor   inventory.Actor `json:"actor"`
}

// AssignTask gives open count CountID to Badge (empty: anyone). Badge is a
// user of the node (ENOTFOUND if not) who is not disabled. A recount is
// never given to an associate who counted the location in the counts it
// recounts (EPRECONDITION: they could not start it). Leads only.
func (s *Service) AssignTask(ctx context.Context, requestID string, in AssignInput) (Count, error) {
	in.Badge = scan.Code(in.Badge)
	if !MayPlan(in.Actor) {
		return Count{}, floorops.Errorf(floorops.EPERMISSION, "only a lead assigns counts")
	}
	if err := floorops.Validate(in); err != nil {
		return Count{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "AssignTask", Body: in},
		func(tx *store.Tx) (Count, error) {
			c, err := loadCount(ctx, tx, in.CountID)
			if err != nil {
				return Count{}, err
			}
			if c.State != StateOpen {
				return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d of %s is %s, not waiting to be counted", c.ID, c.LocationCode, c.State)
			}
			if in.Badge != "" && c.NotBy != "" {
				counted, err := countedInChain(ctx, tx, c)
				if err != nil {
					return Count{}, err
				}
				if counted[in.Badge] || in.Badge == c.NotBy {
					return Count{}, floorops.Errorf(floorops.EPRECONDITION, "%s counted %s in the counts this one recounts: assign another associate", in.Badge, c.LocationCode)
				}
			}
			if in.Badge != "" {
				if err := s.hooks.AssignableBadge(ctx, tx, in.Badge); err != nil {
					return Count{}, err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE counts SET assigned_to = ? WHERE id = ?`, in.Badge, c.ID); err != nil {
				return Count{}, fmt.Errorf("assign count: %w", err)
			}
			if err := logStep(ctx, tx, c.ID, "assigned", in.Actor, in.Badge); err != nil {
				return Count{}, err
			}
			return loadCount(ctx, tx, c.ID)
		})
}

// RemoveInput is a lead taking an open count off the plan.
type RemoveInput struct {
	CountID int64           `json:"count_id" validate:"gt=0"`
	Reason  string          `json:"reason" validate:"required,max=256,nocontrol"`
	Actor   inventory.Actor `json:"actor"`
}

// RemoveTask takes open count CountID off the plan. A count in progress,
// or a recount (the second pair of eyes a count beyond tolerance needs),
// is refused (EPRECONDITION). Leads only.
func (s *Service) RemoveTask(ctx context.Context, requestID string, in RemoveInput) (Count, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if !MayPlan(in.Actor) {
		return Count{}, floorops.Errorf(floorops.EPERMISSION, "only a lead removes counts")
	}
	if err := floorops.Validate(in); err != nil {
		return Count{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "RemoveTask", Body: in},
		func(tx *store.Tx) (Count, error) {
			c, err := loadCount(ctx, tx, in.CountID)
			if err != nil {
				return Count{}, err
			}
			switch {
			case c.State != StateOpen:
				return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d of %s is %s: only a count not yet started is removed", c.ID, c.LocationCode, c.State)
			case c.RecountOf != 0:
				return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d is a recount of count %d: it is decided by counting it", c.ID, c.RecountOf)
			}
			// The count a count request waits for (a short pick's): the bin is
			// held off sale until it posts, so it is never removed, only given
			// to someone (AssignTask).
			req, reason, err := inventory.OpenCountRequestAt(ctx, tx, c.LocationID)
			if err != nil {
				return Count{}, err
			}
			if req != 0 {
				return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d answers count request %d (%s) at %s, which holds the bin off sale until it is counted: assign it rather than remove it",
					c.ID, req, triggerOf(reason), c.LocationCode)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE counts SET state = 'removed', decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
				in.Actor.Badge, in.Reason, store.FormatTime(tx.Now), c.ID); err != nil {
				return Count{}, fmt.Errorf("remove count: %w", err)
			}
			if err := logStep(ctx, tx, c.ID, "removed", in.Actor, in.Reason); err != nil {
				return Count{}, err
			}
			return loadCount(ctx, tx, c.ID)
		})
}

// Triggered puts the count a request asks for (requestID, opened inside
// tx at locationID: a short pick's) at the front of today's open tasks at
// once, rather than at the next plan: the location's open first count is
// moved to today at rank -1 (ahead of every planned rank, from 1, and of
// the counts a lead added, 0) as a triggered
// task naming the request; a location with no count open gets one, whether
// or not today has a plan yet (a plan made later keeps it first). A
// location being counted, or waiting for a recount, keeps that count (it
// answers the request when it posts). Picking calls it; server wires it.
func (s *Service) Triggered(ctx context.Context, tx *store.Tx, locationID, requestID int64) error {
	open, reason, err := inventory.OpenCountRequestAt(ctx, tx, locationID)
	if err != nil || open != requestID {
		return err // the request is not open at the location: nothing to count for it
	}
	why := "count requested: " + triggerOf(reason).String()
	today := tx.Now.UTC().Format(time.DateOnly)
	var id, recountOf sql.NullInt64
	var state State
	var raw string
	err = tx.QueryRowContext(ctx, `SELECT id, state, recount_of, reasons FROM counts WHERE location_id = ? AND `+inProgress, locationID).
		Scan(&id, &state, &recountOf, &raw)
	switch {
	case err == nil && (state != StateOpen || recountOf.Valid):
		return nil
	case err == nil:
		var reasons []string
		if err := json.Unmarshal([]byte(raw), &reasons); err != nil {
			return fmt.Errorf("read count reasons: %w", err)
		}
		if len(reasons) == 0 || reasons[0] != why {
			reasons = append([]string{why}, reasons...)
		}
		b, _ := json.Marshal(reasons)
		if _, err := tx.ExecContext(ctx, `UPDATE counts SET plan_date = ?, plan_rank = -1, task_kind = ?, count_request_id = ?, reasons = ? WHERE id = ?`,
			today, TaskTriggered.String(), requestID, string(b), id.Int64); err != nil {
			return fmt.Errorf("trigger count: %w", err)
		}
		return logStep(ctx, tx, id.Int64, "triggered", inventory.Actor{}, why)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("read counts: %w", err)
	}
	// Today, plan or no plan yet: a bin the request holds off sale always
	// has a count on the list (a plan made later keeps it first).
	b, _ := json.Marshal([]string{why})
	res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at, plan_date, task_kind, plan_rank, reasons, count_request_id)
		SELECT id, 'open', ?, ?, ?, -1, ?, ? FROM locations WHERE id = ? AND type IN ('storage', 'pickface')`,
		store.FormatTime(tx.Now), today, TaskTriggered.String(), string(b), requestID, locationID)
	if err != nil {
		return fmt.Errorf("open triggered count: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // not a location that is cycle counted
	}
	newID, err := res.LastInsertId()
	if err != nil {
		return err
	}
	return logStep(ctx, tx, newID, "triggered", inventory.Actor{}, why)
}
