package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

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
	// Scheduling is the risk model's and the plan's settings an admin set,
	// by name; a setting absent (from a policy stored before it was policy,
	// or one that left it out) is DefaultPolicy's.
	Scheduling Scheduling `json:"scheduling,omitempty"`
}

// Scheduling is the part of the risk Policy an admin set, by setting name
// (policySettings' names, in the units SetPolicy takes them in): the
// weights of the risk model, the class intervals, the minutes a count
// takes and the shares of a day's capacity zero checks and follow-ups may
// take. A map, so that a policy stored before a setting existed reads as
// that setting's default, and a setting added later needs no new storage.
type Scheduling map[string]float64

// policySetting is one setting of the risk Policy a node may set: its
// name (in the stored policy, SetPolicy's input and the proto Policy), the
// range SetPolicy accepts, and where it is in a Policy. per is how many of
// the setting's units make one of the Policy's (100 for a value in cents),
// 0 for 1.
type policySetting struct {
	name     string
	min, max float64
	per      float64
	field    func(*Policy) *float64
}

// policySettings is every setting a node may set, in the order their
// violations are reported.
var policySettings = []policySetting{
	{"zero_check_max_share", 0, 1, 0, func(p *Policy) *float64 { return &p.ZeroCheckMaxShare }},
	{"neighbour_variance_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.NeighbourVarianceHazard }},
	{"neighbour_item_variance_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.NeighbourItemVarianceHazard }},
	{"prior_errors", 0, 1000, 0, func(p *Policy) *float64 { return &p.PriorErrors }},
	{"prior_clean", 0, 1000, 0, func(p *Policy) *float64 { return &p.PriorClean }},
	{"touch_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.TouchHazard }},
	{"day_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.DayHazard }},
	{"location_error_weight", 0, 5, 0, func(p *Policy) *float64 { return &p.LocationErrorWeight }},
	{"item_error_weight", 0, 5, 0, func(p *Policy) *float64 { return &p.ItemErrorWeight }},
	{"short_pick_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.ShortPickHazard }},
	{"putaway_override_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.OverrideHazard }},
	{"rejected_scan_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.RejectedScanHazard }},
	{"receipt_undo_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.ReceiptUndoHazard }},
	{"neighbour_putaway_hazard", 0, 10, 0, func(p *Policy) *float64 { return &p.NeighbourPutawayHazard }},
	{"putaway_unit_hazard", 0, 1, 0, func(p *Policy) *float64 { return &p.PutawayUnitHazard }},
	{"neighbour_putaway_unit_hazard", 0, 1, 0, func(p *Policy) *float64 { return &p.NeighbourPutawayUnitHazard }},
	{"value_reference_cents", 0, 1e11, 100, func(p *Policy) *float64 { return &p.ValueRef }},
	{"value_exponent", 0, 2, 0, func(p *Policy) *float64 { return &p.ValueExponent }},
	{"stockout_weight", 0, 100, 0, func(p *Policy) *float64 { return &p.StockoutWeight }},
	{"stockout_horizon_days", 0, 365, 0, func(p *Policy) *float64 { return &p.StockoutHorizonDays }},
	{"max_interval_days_a", 1, 3650, 0, func(p *Policy) *float64 { return &p.MaxIntervalDays[ClassA] }},
	{"max_interval_days_b", 1, 3650, 0, func(p *Policy) *float64 { return &p.MaxIntervalDays[ClassB] }},
	{"max_interval_days_c", 1, 3650, 0, func(p *Policy) *float64 { return &p.MaxIntervalDays[ClassC] }},
	{"minutes_per_location", 0, 240, 0, func(p *Policy) *float64 { return &p.MinutesPerLocation }},
	{"minutes_per_item", 0, 240, 0, func(p *Policy) *float64 { return &p.MinutesPerItem }},
	{"zero_check_minutes", 0, 240, 0, func(p *Policy) *float64 { return &p.ZeroCheckMinutes }},
	{"follow_up_max_share", 0, 1, 0, func(p *Policy) *float64 { return &p.FollowUpMaxShare }},
	{"stockout_touch_weight", 0, 10, 0, func(p *Policy) *float64 { return &p.StockoutTouchWeight }},
	{"learn_prior", 0, 10000, 0, func(p *Policy) *float64 { return &p.LearnPrior }},
}

// scale is how many of the setting's units make one of the Policy's.
func (s policySetting) scale() float64 {
	if s.per == 0 {
		return 1
	}
	return s.per
}

// Settings is every setting of s, in the units SetPolicy takes them in: the
// ones s holds, DefaultPolicy's for the rest.
func (s Scheduling) Settings() map[string]float64 {
	def := DefaultPolicy()
	out := make(map[string]float64, len(policySettings))
	for _, ps := range policySettings {
		v, ok := s[ps.name]
		if !ok {
			v = *ps.field(&def) * ps.scale()
		}
		out[ps.name] = v
	}
	return out
}

// check is the field violations of s (under prefix): a setting out of its
// range (or not a number), or one no policy has.
func (s Scheduling) check(prefix string) []floorops.FieldViolation {
	var out []floorops.FieldViolation
	known := make(map[string]bool, len(policySettings))
	for _, ps := range policySettings {
		known[ps.name] = true
		if v, ok := s[ps.name]; ok && !(v >= ps.min && v <= ps.max) {
			out = append(out, floorops.FieldViolation{Field: prefix + ps.name, Description: fmt.Sprintf("must be from %v to %v", ps.min, ps.max)})
		}
	}
	var unknown []string
	for name := range s {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		out = append(out, floorops.FieldViolation{Field: prefix + name, Description: "is not a policy setting"})
	}
	return out
}

// RiskPolicy is the risk Policy the node plans with: DefaultPolicy with
// the settings of t.
func (t Tolerances) RiskPolicy() Policy {
	p := DefaultPolicy()
	for _, ps := range policySettings {
		if v, ok := t.Scheduling[ps.name]; ok {
			*ps.field(&p) = v / ps.scale()
		}
	}
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
	// The first three scheduling settings; each one left out is its
	// default (DefaultPolicy's), and left out of the stored request
	// likewise. Their ranges are policySettings'.
	ZeroCheckMaxShare           *float64 `json:"zero_check_max_share,omitempty"`
	NeighbourVarianceHazard     *float64 `json:"neighbour_variance_hazard,omitempty"`
	NeighbourItemVarianceHazard *float64 `json:"neighbour_item_variance_hazard,omitempty"`
	// Settings is the rest of the settings sent (policySettings' names),
	// each one left out its default; left out of the stored request when
	// empty, so a retry of a request made before they were policy hashes
	// the same.
	Settings map[string]float64 `json:"settings,omitempty"`
}

// scheduling is the settings the update sets.
func (u *PolicyUpdate) scheduling() Scheduling {
	s := Scheduling{}
	for name, v := range u.Settings {
		s[name] = v
	}
	for name, v := range map[string]*float64{"zero_check_max_share": u.ZeroCheckMaxShare, "neighbour_variance_hazard": u.NeighbourVarianceHazard,
		"neighbour_item_variance_hazard": u.NeighbourItemVarianceHazard} {
		if v != nil {
			s[name] = *v
		}
	}
	return s
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
	var bad []floorops.FieldViolation
	if err := floorops.Validate(in); err != nil {
		var fe *floorops.Error
		if !errors.As(err, &fe) || fe.Code != floorops.EINVALID {
			return Tolerances{}, err
		}
		bad = fe.Fields
	}
	if in.Policy != nil {
		bad = append(bad, in.Policy.scheduling().check("policy.")...)
	}
	if len(bad) > 0 {
		return Tolerances{}, floorops.InvalidFields(bad...)
	}
	if abc := in.Policy.abc(); abc.AShare+abc.BShare > 100 {
		return Tolerances{}, floorops.Invalid("policy.class_b_share_percent", "A and B shares add up to %v%%: at most 100", abc.AShare+abc.BShare)
	}
	out, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "SetPolicy", Body: in},
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
	if err != nil {
		return Tolerances{}, err
	}
	// A retry is answered with the response stored the first time, which
	// a node older than the cut points stored without them.
	return out.withDefaults(), nil
}

// withDefaults is t with the parts a policy stored before they were policy
// lacks filled from their defaults: the ABC cut points (settings absent
// from Scheduling read as their defaults already).
func (t Tolerances) withDefaults() Tolerances {
	if t.ABC == (ABC{}) {
		t.ABC = DefaultABC
	}
	return t
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
	return t.withDefaults(), nil
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
