package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Tolerance is how far a count of one item may differ from the record and
// still post without a recount. A line is within tolerance when its
// difference is within every limit set; a zero limit is no limit, and a
// class with no limit at all posts only exact counts.
type Tolerance struct {
	Units      int64   `json:"units" validate:"gte=0,lte=10000000"`
	Percent    float64 `json:"percent" validate:"gte=0,lte=100"`
	ValueCents int64   `json:"value_cents" validate:"gte=0,lte=10000000000"`
}

// Tolerances is the counting policy: one tolerance per ABC class, and how
// items are classed by pick velocity. A items move fast and oversell first
// when wrong, so their tolerance is tightest.
type Tolerances struct {
	A   Tolerance `json:"class_a"`
	B   Tolerance `json:"class_b"`
	C   Tolerance `json:"class_c"`
	ABC ABC       `json:"abc"`
	// Scheduling is the plan settings an admin set; nil (a policy stored
	// before they were policy, or one that left them out) is
	// DefaultScheduling.
	Scheduling *Scheduling `json:"scheduling,omitempty"`
}

// Scheduling is the part of the risk Policy a node may set: the zero
// checks' share of capacity and the weights of differences found next
// door. The rest of the risk model keeps DefaultPolicy's weights.
type Scheduling struct {
	ZeroCheckMaxShare           float64 `json:"zero_check_max_share"`
	NeighbourVarianceHazard     float64 `json:"neighbour_variance_hazard"`
	NeighbourItemVarianceHazard float64 `json:"neighbour_item_variance_hazard"`
}

// DefaultScheduling is DefaultPolicy's scheduling settings.
func DefaultScheduling() Scheduling {
	p := DefaultPolicy()
	return Scheduling{ZeroCheckMaxShare: p.ZeroCheckMaxShare, NeighbourVarianceHazard: p.NeighbourVarianceHazard,
		NeighbourItemVarianceHazard: p.NeighbourItemVarianceHazard}
}

// scheduling is t's scheduling settings, defaults when none were set.
func (t Tolerances) scheduling() Scheduling {
	if t.Scheduling == nil {
		return DefaultScheduling()
	}
	return *t.Scheduling
}

// RiskPolicy is the risk Policy the node plans with: DefaultPolicy with
// the scheduling settings of t.
func (t Tolerances) RiskPolicy() Policy {
	p, s := DefaultPolicy(), t.scheduling()
	p.ZeroCheckMaxShare, p.NeighbourVarianceHazard, p.NeighbourItemVarianceHazard = s.ZeroCheckMaxShare, s.NeighbourVarianceHazard, s.NeighbourItemVarianceHazard
	return p
}

// DefaultTolerances is the policy of a node no admin has set: a difference
// of at most 1, 3 or 5 units, 2%, 5% or 10% of the record and $25, $50 or
// $100 for A, B and C items.
var DefaultTolerances = Tolerances{
	A:   Tolerance{Units: 1, Percent: 2, ValueCents: 2500},
	B:   Tolerance{Units: 3, Percent: 5, ValueCents: 5000},
	C:   Tolerance{Units: 5, Percent: 10, ValueCents: 10000},
	ABC: DefaultABC,
}

// of is the tolerance of an item's ABC class ("A", "B", "C").
func (t Tolerances) of(class string) Tolerance {
	switch class {
	case "A":
		return t.A
	case "B":
		return t.B
	}
	return t.C
}

// Within reports whether a count of counted against a record of snapshot,
// at unitCost cents each, is within t.
func (t Tolerance) Within(snapshot, counted, unitCost int64) bool {
	diff := counted - snapshot
	if diff < 0 {
		diff = -diff
	}
	if diff == 0 {
		return true
	}
	if t.Units == 0 && t.Percent == 0 && t.ValueCents == 0 {
		return false
	}
	base := snapshot
	if base == 0 {
		base = counted
	}
	switch {
	case t.Units > 0 && diff > t.Units:
		return false
	case t.Percent > 0 && float64(diff)*100 > t.Percent*float64(base):
		return false
	case t.ValueCents > 0 && (unitCost > 0 && diff > math.MaxInt64/unitCost || diff*unitCost > t.ValueCents):
		return false
	}
	return true
}

// MaySetPolicy reports whether a may change the counting policy: an admin.
func MaySetPolicy(a inventory.Actor) bool { return a.Role == inventory.Admin }

// GetPolicy returns the counting policy in force.
func (s *Service) GetPolicy(ctx context.Context) (Tolerances, error) {
	return loadPolicy(ctx, s.db.Reader())
}

// PolicyUpdate is a whole counting policy as an admin sends it: every
// class is required, so a class left out is refused rather than read as
// "no tolerance" (a zero limit within a class is one the admin sent).
type PolicyUpdate struct {
	A *Tolerance `json:"class_a" validate:"required"`
	B *Tolerance `json:"class_b" validate:"required"`
	C *Tolerance `json:"class_c" validate:"required"`
	// The ABC cut points; each one left out is its default (DefaultABC).
	// Left out of the stored request when absent, so a retry of a request
	// made before they existed hashes the same.
	AShare     *float64 `json:"class_a_share_percent,omitempty" validate:"omitempty,gt=0,lte=100"`
	BShare     *float64 `json:"class_b_share_percent,omitempty" validate:"omitempty,gte=0,lte=100"`
	WindowDays *int     `json:"velocity_window_days,omitempty" validate:"omitempty,gte=1,lte=365"`
	// The scheduling settings; each one left out is its default
	// (DefaultScheduling), and left out of the stored request likewise.
	ZeroCheckMaxShare           *float64 `json:"zero_check_max_share,omitempty" validate:"omitempty,gte=0,lte=1"`
	NeighbourVarianceHazard     *float64 `json:"neighbour_variance_hazard,omitempty" validate:"omitempty,gte=0,lte=10"`
	NeighbourItemVarianceHazard *float64 `json:"neighbour_item_variance_hazard,omitempty" validate:"omitempty,gte=0,lte=10"`
}

// scheduling is the update's scheduling settings, defaults where left out.
func (u *PolicyUpdate) scheduling() *Scheduling {
	s := DefaultScheduling()
	for _, f := range []struct {
		in  *float64
		out *float64
	}{{u.ZeroCheckMaxShare, &s.ZeroCheckMaxShare}, {u.NeighbourVarianceHazard, &s.NeighbourVarianceHazard}, {u.NeighbourItemVarianceHazard, &s.NeighbourItemVarianceHazard}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	return &s
}

// abc is the update's cut points, defaults where left out.
func (u *PolicyUpdate) abc() ABC {
	c := DefaultABC
	if u.AShare != nil {
		c.AShare = *u.AShare
	}
	if u.BShare != nil {
		c.BShare = *u.BShare
	}
	if u.WindowDays != nil {
		c.WindowDays = *u.WindowDays
	}
	return c
}

// SetPolicyInput is an admin's new counting policy.
type SetPolicyInput struct {
	Policy *PolicyUpdate   `json:"policy" validate:"required"`
	Actor  inventory.Actor `json:"actor"`
}

// SetPolicy replaces the counting policy with a whole one: a missing
// policy, or one missing a class, is EINVALID on that field and changes
// nothing. Admins only.
func (s *Service) SetPolicy(ctx context.Context, requestID string, in SetPolicyInput) (Tolerances, error) {
	if !MaySetPolicy(in.Actor) {
		return Tolerances{}, floorops.Errorf(floorops.EPERMISSION, "only an admin sets the counting policy")
	}
	if err := floorops.Validate(in); err != nil {
		return Tolerances{}, err
	}
	if abc := in.Policy.abc(); abc.AShare+abc.BShare > 100 {
		return Tolerances{}, floorops.Invalid("policy.class_b_share_percent", "A and B shares add up to %v%%: at most 100", abc.AShare+abc.BShare)
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "SetPolicy", Body: in},
		func(tx *store.Tx) (Tolerances, error) {
			pol := Tolerances{A: *in.Policy.A, B: *in.Policy.B, C: *in.Policy.C, ABC: in.Policy.abc(), Scheduling: in.Policy.scheduling()}
			b, err := json.Marshal(pol)
			if err != nil {
				return Tolerances{}, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO count_policy (id, policy, updated_by, updated_at) VALUES (1, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				string(b), in.Actor.Badge, store.FormatTime(tx.Now)); err != nil {
				return Tolerances{}, fmt.Errorf("set count policy: %w", err)
			}
			return pol, nil
		})
}

func loadPolicy(ctx context.Context, q inventory.Querier) (Tolerances, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT policy FROM count_policy WHERE id = 1`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultTolerances, nil
	}
	if err != nil {
		return Tolerances{}, fmt.Errorf("read count policy: %w", err)
	}
	var t Tolerances
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return Tolerances{}, fmt.Errorf("read count policy: %w", err)
	}
	if t.ABC == (ABC{}) {
		t.ABC = DefaultABC // stored before the cut points were policy
	}
	return t, nil
}

// withinTolerance reports whether every line of c is within the tolerance
// of its item's class.
func withinTolerance(ctx context.Context, q inventory.Querier, pol Tolerances, c Count) (bool, error) {
	facts, err := itemFacts(ctx, q, c)
	if err != nil {
		return false, err
	}
	for _, l := range c.Lines {
		f := facts[l.ItemID]
		if !pol.of(f.class).Within(l.Snapshot, l.Counted, f.cost) {
			return false, nil
		}
	}
	return true, nil
}

// itemFact is what a tolerance needs of an item: its ABC class and unit
// cost in cents.
type itemFact struct {
	class string
	cost  int64
}

// itemFacts reads the class and cost of every item of c in one query.
func itemFacts(ctx context.Context, q inventory.Querier, c Count) (map[int64]itemFact, error) {
	ids := make([]int64, 0, len(c.Lines))
	for _, l := range c.Lines {
		ids = append(ids, l.ItemID)
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]itemFact, len(ids))
	err = inventory.EachRow(ctx, q, `SELECT DISTINCT i.id, `+classSQL+`, i.unit_cost_cents FROM json_each(?) j JOIN items i ON i.id = j.value `+velocityJoin,
		[]any{string(b)}, func(r *sql.Rows) error {
			var id int64
			var f itemFact
			err := r.Scan(&id, &f.class, &f.cost)
			out[id] = f
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	return out, nil
}
