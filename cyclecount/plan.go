package cyclecount

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Capacity is the day's count budget: a number of location counts, or
// minutes of counting (each task costs the policy's per-location estimate),
// or both. A zero field does not limit; a zero Capacity plans nothing.
// Against Counts a zero check costs the share of a count its minutes are
// (ZeroCheckMinutes over a one-item count's minutes), so quick checks do
// not crowd out counts.
type Capacity struct {
	Counts  int
	Minutes float64
}

// TaskKind is why a location is on the day's plan.
type TaskKind uint8

// The task kinds, in the order a plan serves them.
const (
	// TaskTriggered: the floor opened a count request (short pick, putaway
	// override, location reported empty).
	TaskTriggered TaskKind = iota + 1
	// TaskZeroCheck: the record says the location just emptied; a quick
	// look confirms nothing is left (or finds hidden stock).
	TaskZeroCheck
	// TaskOverdue: the location has gone longer than its class's maximum
	// interval without a count.
	TaskOverdue
	// TaskRisk: chosen for its risk score to fill the day's capacity.
	TaskRisk
	// TaskFollowUp: a neighbour's count found a difference of an item this
	// location holds since its own last count: misplacement is net zero
	// across a pair of neighbouring bins, so this is most likely the other
	// half. Served after triggered counts, within Policy.FollowUpMaxShare of
	// the capacity.
	TaskFollowUp
)

func (k TaskKind) String() string {
	switch k {
	case TaskTriggered:
		return "triggered"
	case TaskZeroCheck:
		return "zero-check"
	case TaskOverdue:
		return "overdue"
	case TaskRisk:
		return "risk"
	case TaskFollowUp:
		return "follow-up"
	}
	return "unknown"
}

// Task is one location to count on the day: every item there is counted
// together, so a plan never holds two tasks for one location. Score is the
// sum of its items' scores (counting the location checks every item, so the
// expected benefit adds up); Factors explain its riskiest item.
type Task struct {
	Day        time.Time
	LocationID int64
	Location   string
	Zone       string
	Kind       TaskKind
	Trigger    Trigger
	Class      Class
	Score      float64
	// Items is how many items the record holds at the location.
	Items int
	// Minutes is the estimated time the task takes.
	Minutes float64
	// DaysSinceCount is how long the location has gone uncounted.
	DaysSinceCount float64
	// MaxIntervalDays is the class's maximum interval (for overdue tasks).
	MaxIntervalDays float64
	// SKU is the riskiest item at the location and Factors its score's
	// named factors.
	SKU     string
	Factors []Factor
}

// Reasons is the task's explanation as a lead reads it: the hard rule that
// put it on the plan, if any, then its score's factors.
func (t Task) Reasons() []string {
	var out []string
	switch t.Kind {
	case TaskTriggered:
		out = append(out, "count requested: "+t.Trigger.String())
	case TaskFollowUp:
		out = append(out, "follow-up: a neighbour's count found a difference of an item here")
	case TaskZeroCheck:
		out = append(out, "zero confirmation: the record says it just emptied")
	case TaskOverdue:
		out = append(out, fmt.Sprintf("overdue: %.0f days since last count, class %s maximum %.0f", t.DaysSinceCount, t.Class, t.MaxIntervalDays))
	}
	for _, f := range t.Factors {
		out = append(out, f.String())
	}
	return out
}

// Planner chooses the day's count tasks from the candidates within the
// capacity, in the order they should be done. The risk policy, the ABC and
// random baselines, the simulator and the node all go through this type.
type Planner func(cands []Candidate, capacity Capacity, day time.Time) []Task

// RiskPlanner is Plan under policy p.
func RiskPlanner(p Policy) Planner {
	return func(cands []Candidate, capacity Capacity, day time.Time) []Task {
		return Plan(cands, capacity, p, day)
	}
}

// ABCPlanner is the fixed-frequency baseline other systems use: each class
// has an interval (p.MaxIntervalDays) and the day's capacity goes to the
// locations most overdue against their class's interval, so counts are
// spread across classes in proportion to their frequencies whatever the
// budget. It ignores risk and triggers.
func ABCPlanner(p Policy) Planner {
	return func(cands []Candidate, capacity Capacity, day time.Time) []Task {
		return plan(cands, capacity, &p, day, func(a *locAgg) (uint8, float64) {
			return tierRisk, a.days / math.Max(p.MaxIntervalDays[a.class], 1)
		})
	}
}

// RandomPlanner is the uniform baseline: the day's capacity goes to
// locations drawn at random (a hash of seed, day and location, so a plan is
// reproducible), ignoring risk and triggers. p gives only the minutes a
// count takes.
func RandomPlanner(p Policy, seed uint64) Planner {
	return func(cands []Candidate, capacity Capacity, day time.Time) []Task {
		d := uint64(day.Unix())
		return plan(cands, capacity, &p, day, func(a *locAgg) (uint8, float64) {
			h := splitmix(seed ^ splitmix(d^splitmix(uint64(a.loc))))
			return tierRisk, float64(h>>11) / (1 << 53)
		})
	}
}

// Policies are the planner names the simulator and the CLI accept.
var Policies = []string{"random", "abc", "risk"}

// PlannerFor returns the named planner: "risk" and "abc" under p, "random"
// with seed.
func PlannerFor(name string, p Policy, seed uint64) (Planner, error) {
	switch name {
	case "risk":
		return RiskPlanner(p), nil
	case "abc":
		return ABCPlanner(p), nil
	case "random":
		return RandomPlanner(p, seed), nil
	}
	return nil, fmt.Errorf("unknown policy %q (want random, abc or risk)", name)
}

// Plan is the day's count plan under the risk policy. Hard rules first:
// locations with an open count request (short picks before overrides before
// reported-empty), then zero confirmations for locations the record says
// just emptied, then locations past their class's maximum interval (most
// overdue first); then the rest of the capacity by score. Each location is
// one task. Ties break by location id, so the same facts give the same plan.
//
// Plan keeps one small aggregate per location and a heap as large as the
// capacity: it never sorts all candidates.
func Plan(cands []Candidate, capacity Capacity, p Policy, day time.Time) []Task {
	return plan(cands, capacity, &p, day, func(a *locAgg) (uint8, float64) {
		switch {
		case a.trigger != TriggerNone:
			return tierTriggered, float64(a.trigger)*1e12 + a.score
		case a.followUp:
			return tierFollowUp, a.score
		case a.justEmptied && a.units == 0:
			return tierZeroCheck, a.score
		case a.days >= p.MaxIntervalDays[a.class] && p.MaxIntervalDays[a.class] > 0:
			return tierOverdue, a.days / p.MaxIntervalDays[a.class]
		}
		return tierRisk, a.score
	})
}

// ZeroCheckShare is what a zero check costs against a budget in counts:
// ZeroCheckMinutes over a one-item count's minutes (a glance, not a count),
// or a whole count when the minutes are not set.
func (p Policy) ZeroCheckShare() float64 {
	full := p.MinutesPerLocation + p.MinutesPerItem
	if full > 0 && p.ZeroCheckMinutes > 0 && p.ZeroCheckMinutes < full {
		return p.ZeroCheckMinutes / full
	}
	return 1
}

// zeroCheckLimit is how many zero checks fit in p.ZeroCheckMaxShare of the
// capacity (no bound when the share is not set).
func zeroCheckLimit(capacity Capacity, p *Policy) int {
	if p.ZeroCheckMaxShare <= 0 || p.ZeroCheckMaxShare >= 1 {
		return math.MaxInt
	}
	limit := math.Inf(1)
	if capacity.Counts > 0 {
		limit = p.ZeroCheckMaxShare * float64(capacity.Counts) / p.ZeroCheckShare()
	}
	if capacity.Minutes > 0 && p.ZeroCheckMinutes > 0 {
		limit = math.Min(limit, p.ZeroCheckMaxShare*capacity.Minutes/p.ZeroCheckMinutes)
	}
	if math.IsInf(limit, 1) {
		return math.MaxInt
	}
	return max(int(limit), 1)
}

// followUpLimit is how many follow-up counts fit in p.FollowUpMaxShare of
// the capacity (none when the share is not set).
func followUpLimit(capacity Capacity, p *Policy) int {
	if p.FollowUpMaxShare <= 0 {
		return 0
	}
	share := math.Min(p.FollowUpMaxShare, 1)
	limit := math.Inf(1)
	if capacity.Counts > 0 {
		limit = share * float64(capacity.Counts)
	}
	if full := p.MinutesPerLocation + p.MinutesPerItem; capacity.Minutes > 0 && full > 0 {
		limit = math.Min(limit, share*capacity.Minutes/full)
	}
	if math.IsInf(limit, 1) {
		return math.MaxInt
	}
	return int(limit)
}

// boundTier keeps the limit first of the n aggregates in tier and hands
// the rest to the risk tier. A bin that emptied and was not checked today
// stays just-emptied, so it is checked on a later day unless stock arrives
// first; a follow-up not served today keeps its neighbour's difference in
// its score; today both compete for a full count on their score.
func boundTier(aggs []locAgg, tier uint8, n, limit int) {
	idx := make([]int32, 0, n)
	for i := range aggs {
		if aggs[i].tier == tier {
			idx = append(idx, int32(i))
		}
	}
	sort.Slice(idx, func(i, j int) bool { return aggs[idx[i]].before(&aggs[idx[j]]) })
	for _, i := range idx[limit:] {
		aggs[i].tier, aggs[i].key = tierRisk, aggs[i].score
	}
}

const (
	tierTriggered uint8 = iota
	tierFollowUp
	tierZeroCheck
	tierOverdue
	tierRisk
)

var tierKind = [...]TaskKind{TaskTriggered, TaskFollowUp, TaskZeroCheck, TaskOverdue, TaskRisk}

// locAgg is one location's summary over its candidates.
type locAgg struct {
	loc         int64
	best        int32 // index of the riskiest candidate
	items       int32
	score       float64
	bestScore   float64
	days        float64
	units       int
	class       Class
	trigger     Trigger
	justEmptied bool
	followUp    bool
	tier        uint8
	key         float64
}

// before reports whether a is served before b.
func (a *locAgg) before(b *locAgg) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.key != b.key {
		return a.key > b.key
	}
	return a.loc < b.loc
}

func plan(cands []Candidate, capacity Capacity, p *Policy, day time.Time, rank func(*locAgg) (uint8, float64)) []Task {
	if capacity.Counts <= 0 && capacity.Minutes <= 0 {
		return nil
	}
	aggs := aggregate(cands, p)
	zeros, follows := 0, 0
	for i := range aggs {
		aggs[i].tier, aggs[i].key = rank(&aggs[i])
		switch aggs[i].tier {
		case tierZeroCheck:
			zeros++
		case tierFollowUp:
			follows++
		}
	}
	if limit := zeroCheckLimit(capacity, p); zeros > limit {
		boundTier(aggs, tierZeroCheck, zeros, limit)
	}
	if limit := followUpLimit(capacity, p); follows > limit {
		boundTier(aggs, tierFollowUp, follows, limit)
	}

	full := p.MinutesPerLocation + p.MinutesPerItem
	zeroShare := p.ZeroCheckShare()
	k := len(aggs)
	if capacity.Counts > 0 {
		k = min(k, int(float64(capacity.Counts)/zeroShare)+1)
	}
	if capacity.Minutes > 0 {
		if least := math.Min(p.ZeroCheckMinutes, full); least > 0 {
			k = min(k, int(capacity.Minutes/least)+1)
		}
	}
	sel := selectTop(aggs, k)
	sort.Slice(sel, func(i, j int) bool { return aggs[sel[i]].before(&aggs[sel[j]]) })

	tasks := make([]Task, 0, len(sel))
	minutes, counts := 0.0, 0.0
	for _, i := range sel {
		a := &aggs[i]
		kind := tierKind[a.tier]
		est := p.MinutesPerLocation + p.MinutesPerItem*float64(a.items)
		cost := 1.0
		if kind == TaskZeroCheck {
			est, cost = p.ZeroCheckMinutes, zeroShare
		}
		if capacity.Minutes > 0 && minutes+est > capacity.Minutes {
			continue
		}
		if capacity.Counts > 0 && counts+cost > float64(capacity.Counts)+1e-9 {
			continue
		}
		counts += cost
		minutes += est
		c := &cands[a.best]
		s := Score(*c, *p)
		t := Task{
			Day: day, LocationID: a.loc, Location: c.Location, Zone: c.Zone,
			Kind: kind, Trigger: a.trigger, Class: a.class, Score: a.score,
			Items: int(a.items), Minutes: est, DaysSinceCount: a.days, SKU: c.SKU,
			Factors: s.Factors,
		}
		if kind == TaskOverdue {
			t.MaxIntervalDays = p.MaxIntervalDays[a.class]
		}
		tasks = append(tasks, t)
	}
	return tasks
}

// aggregate folds candidates into one summary per location, in order of
// first appearance. Candidates grouped by location (as ORDER BY
// location_id returns them) need no map; any order is accepted.
func aggregate(cands []Candidate, p *Policy) []locAgg {
	aggs := make([]locAgg, 0, len(cands)) // at most one a candidate: one allocation
	var index map[int64]int32
	ascending := true
	var r terms
	for i := range cands {
		c := &cands[i]
		n := len(aggs)
		var a *locAgg
		switch {
		case n > 0 && aggs[n-1].loc == c.LocationID:
			a = &aggs[n-1]
		case ascending && (n == 0 || c.LocationID > aggs[n-1].loc):
		default:
			if index == nil {
				ascending = false
				index = make(map[int64]int32, len(aggs)*2)
				for j := range aggs {
					index[aggs[j].loc] = int32(j)
				}
			}
			if j, ok := index[c.LocationID]; ok {
				a = &aggs[j]
			}
		}
		if a == nil {
			aggs = append(aggs, locAgg{loc: c.LocationID, best: int32(i), bestScore: -1})
			a = &aggs[len(aggs)-1]
			if index != nil {
				index[c.LocationID] = int32(len(aggs) - 1)
			}
		}
		r.compute(c, p)
		a.score += r.score
		if r.score > a.bestScore {
			a.best, a.bestScore = int32(i), r.score
		}
		if c.ItemID != 0 || c.RecordedUnits != 0 {
			a.items++
		}
		a.units += max(c.RecordedUnits, 0)
		a.days = math.Max(a.days, c.DaysSinceCount)
		a.class = max(a.class, min(c.Class, ClassA))
		a.trigger = max(a.trigger, c.Trigger)
		a.justEmptied = a.justEmptied || c.JustEmptied
		a.followUp = a.followUp || (c.NeighbourItemVariances > 0 && c.ItemID != 0 && c.RecordedUnits > 0)
	}
	return aggs
}

// selectTop returns the indexes of the k aggregates served first, in no
// particular order, keeping a heap of k (the worst kept at its root).
func selectTop(aggs []locAgg, k int) []int32 {
	if k <= 0 {
		return nil
	}
	h := make([]int32, 0, k)
	worse := func(i, j int) bool { return aggs[h[j]].before(&aggs[h[i]]) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(r, l) {
				m = r
			}
			if !worse(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := range aggs {
		if len(h) < k {
			h = append(h, int32(i))
			for j := len(h) - 1; j > 0; {
				parent := (j - 1) / 2
				if !worse(j, parent) {
					break
				}
				h[j], h[parent] = h[parent], h[j]
				j = parent
			}
			continue
		}
		if aggs[i].before(&aggs[h[0]]) {
			h[0] = int32(i)
			down(0)
		}
	}
	return h
}

// splitmix is SplitMix64's finalizer: a cheap, well-mixed hash.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
