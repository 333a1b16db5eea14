package cyclecount

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

// at is an ordinary position at location loc with the given touches.
func at(loc int64, touches int) Candidate {
	c := base()
	c.LocationID, c.Location, c.ItemID, c.Touches = loc, fmt.Sprintf("L%03d", loc), loc*10, touches
	return c
}

func locations(ts []Task) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.LocationID
	}
	return out
}

func kinds(ts []Task) []TaskKind {
	out := make([]TaskKind, len(ts))
	for i, t := range ts {
		out[i] = t.Kind
	}
	return out
}

// TestPlanHardRulesFirst: triggered counts, then zero checks, then overdue
// locations, then risk, whatever the scores say.
func TestPlanHardRulesFirst(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	risky := at(1, 300)
	shortPick := at(2, 0)
	shortPick.Trigger = TriggerShortPick
	override := at(3, 0)
	override.Trigger = TriggerPutawayOverride
	emptied := at(4, 0)
	emptied.RecordedUnits, emptied.JustEmptied = 0, true
	overdue := at(5, 0)
	overdue.Class, overdue.DaysSinceCount = ClassA, 120
	emptiedWithStock := at(6, 1)
	emptiedWithStock.JustEmptied = true // another item is still on the record
	cands := []Candidate{risky, shortPick, override, emptied, overdue, emptiedWithStock}

	cases := []struct {
		name      string
		capacity  Capacity
		wantLocs  []int64
		wantKinds []TaskKind
	}{
		{"all fit", Capacity{Counts: 10}, []int64{2, 3, 4, 5, 1, 6},
			[]TaskKind{TaskTriggered, TaskTriggered, TaskZeroCheck, TaskOverdue, TaskRisk, TaskRisk}},
		{"one count: the short pick", Capacity{Counts: 1}, []int64{2}, []TaskKind{TaskTriggered}},
		{"three counts: the zero check fits, a full count does not", Capacity{Counts: 3}, []int64{2, 3, 4},
			[]TaskKind{TaskTriggered, TaskTriggered, TaskZeroCheck}},
		{"four counts: then the overdue location", Capacity{Counts: 4}, []int64{2, 3, 4, 5},
			[]TaskKind{TaskTriggered, TaskTriggered, TaskZeroCheck, TaskOverdue}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Plan(cands, tc.capacity, p, day)
			if diff := cmp.Diff(tc.wantLocs, locations(got)); diff != "" {
				t.Errorf("locations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantKinds, kinds(got)); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlanOverdueByClassInterval: a location past its class's maximum
// interval is forced in; the same age under a longer interval is not.
func TestPlanOverdueByClassInterval(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.MaxIntervalDays = [3]float64{ClassA: 30, ClassB: 90, ClassC: 180}
	for _, tc := range []struct {
		class Class
		days  float64
		want  TaskKind
	}{
		{ClassA, 31, TaskOverdue},
		{ClassA, 29, TaskRisk},
		{ClassB, 60, TaskRisk},
		{ClassB, 90, TaskOverdue},
		{ClassC, 179, TaskRisk},
		{ClassC, 400, TaskOverdue},
	} {
		c := at(1, 0)
		c.Class, c.DaysSinceCount = tc.class, tc.days
		got := Plan([]Candidate{at(2, 500), c}, Capacity{Counts: 1}, p, day)
		wantLoc := int64(2)
		if tc.want == TaskOverdue {
			wantLoc = 1
		}
		if len(got) != 1 || got[0].LocationID != wantLoc {
			t.Errorf("class %s, %v days: plan %v, want location %d first", tc.class, tc.days, locations(got), wantLoc)
			continue
		}
		if tc.want == TaskOverdue && (got[0].Kind != TaskOverdue || got[0].MaxIntervalDays != p.MaxIntervalDays[tc.class]) {
			t.Errorf("class %s, %v days: task %+v, want overdue against %v days", tc.class, tc.days, got[0], p.MaxIntervalDays[tc.class])
		}
	}
}

// TestPlanRespectsCapacity: never more tasks than counts, never more
// minutes than the budget, and a zero capacity plans nothing.
func TestPlanRespectsCapacity(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	var cands []Candidate
	for i := int64(1); i <= 50; i++ {
		c := at(i, int(i))
		if i%5 == 0 {
			c.RecordedUnits, c.JustEmptied = 0, true
		}
		cands = append(cands, c)
	}
	for _, tc := range []struct {
		name     string
		capacity Capacity
	}{
		{"zero", Capacity{}},
		{"counts", Capacity{Counts: 7}},
		{"minutes", Capacity{Minutes: 20}},
		{"both", Capacity{Counts: 3, Minutes: 100}},
		{"more than there is", Capacity{Counts: 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Plan(cands, tc.capacity, p, day)
			counts, minutes := 0.0, 0.0
			for _, task := range got {
				minutes += task.Minutes
				if task.Kind == TaskZeroCheck {
					counts += p.ZeroCheckShare()
				} else {
					counts++
				}
			}
			if tc.capacity.Counts > 0 && counts > float64(tc.capacity.Counts)+1e-9 {
				t.Errorf("%v counts planned, capacity %d", counts, tc.capacity.Counts)
			}
			if tc.capacity.Minutes > 0 && minutes > tc.capacity.Minutes+1e-9 {
				t.Errorf("%v minutes planned, capacity %v", minutes, tc.capacity.Minutes)
			}
			if tc.capacity == (Capacity{}) && len(got) != 0 {
				t.Errorf("zero capacity planned %d tasks", len(got))
			}
			if tc.capacity.Counts == 1000 && len(got) != len(cands) {
				t.Errorf("ample capacity planned %d of %d locations", len(got), len(cands))
			}
			if tc.capacity.Counts == 7 && counts < 6 {
				t.Errorf("capacity 7 used only %v counts", counts)
			}
		})
	}
}

// TestPlanOneTaskPerLocation: a location's items are counted together,
// in whatever order the candidates come; its score is the sum of its
// items' and it is explained by its riskiest item.
func TestPlanOneTaskPerLocation(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	a1, a2, b1, a3 := at(1, 10), at(1, 10), at(2, 5), at(1, 10)
	a2.ItemID, a2.SKU, a2.UnitCost = 11, "SKU-RICH", 900
	a3.ItemID = 12
	for _, order := range [][]Candidate{{a1, a2, a3, b1}, {a1, b1, a2, a3}, {b1, a3, a1, a2}} {
		got := Plan(order, Capacity{Counts: 10}, p, day)
		if len(got) != 2 {
			t.Fatalf("plan %v, want one task for each of 2 locations", locations(got))
		}
		task := got[0]
		want := Score(a1, p).Score + Score(a2, p).Score + Score(a3, p).Score
		if task.LocationID != 1 || task.Items != 3 || abs(task.Score-want) > 1e-9 || task.SKU != "SKU-RICH" {
			t.Errorf("task %+v, want location 1 with 3 items, score %v, explained by SKU-RICH", task, want)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestPlanDeterministic: the same facts in any order give the same plan,
// ties broken by location id.
func TestPlanDeterministic(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	var cands []Candidate
	for i := int64(1); i <= 200; i++ {
		cands = append(cands, at(i, int(i%7))) // many equal scores
	}
	want := locations(Plan(cands, Capacity{Counts: 40}, p, day))
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		if diff := cmp.Diff(want, locations(Plan(cands, Capacity{Counts: 40}, p, day))); diff != "" {
			t.Fatalf("plan changed with input order (-first +now):\n%s", diff)
		}
	}
	for i := 1; i < len(want); i++ {
		if want[i-1]%7 == want[i]%7 && want[i-1] > want[i] {
			t.Errorf("equal scores not in location order: %v", want)
		}
	}
}

// TestTaskReasons: a planned task explains itself: the hard rule, then
// its factors.
func TestTaskReasons(t *testing.T) {
	t.Parallel()
	c := at(1, 41)
	c.Trigger, c.Exceptions.ShortPicks = TriggerShortPick, 3
	got := Plan([]Candidate{c}, Capacity{Counts: 1}, DefaultPolicy(), day)
	if len(got) != 1 {
		t.Fatalf("plan %v", got)
	}
	r := got[0].Reasons()
	want := []string{"count requested: short pick", "3 short picks in 7 days", "41 touches since last count"}
	if diff := cmp.Diff(want, r[:min(len(r), 3)]); diff != "" {
		t.Errorf("reasons (-want +got):\n%s\nall: %q", diff, r)
	}
}

// TestBaselinePlanners: abc counts the most overdue against their class
// intervals; random is reproducible by seed and day; both ignore triggers
// and respect capacity; PlannerFor names all three.
func TestBaselinePlanners(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	var cands []Candidate
	for i := int64(1); i <= 100; i++ {
		c := at(i, 0)
		c.Class = Class(i % 3)
		c.DaysSinceCount = float64(i)
		cands = append(cands, c)
	}
	cands[0].Trigger = TriggerShortPick
	abc := ABCPlanner(p)(cands, Capacity{Counts: 5}, day)
	// Ratios days/interval: the A locations (i%3 == 2) near 100 days lead.
	if diff := cmp.Diff([]int64{98, 95, 92, 89, 86}, locations(abc)); diff != "" {
		t.Errorf("abc plan (-want +got):\n%s", diff)
	}
	rnd := RandomPlanner(p, 7)
	first := locations(rnd(cands, Capacity{Counts: 10}, day))
	if len(first) != 10 {
		t.Fatalf("random planned %d, want 10", len(first))
	}
	if diff := cmp.Diff(first, locations(rnd(cands, Capacity{Counts: 10}, day))); diff != "" {
		t.Errorf("random plan not reproducible:\n%s", diff)
	}
	if cmp.Equal(first, locations(rnd(cands, Capacity{Counts: 10}, day.AddDate(0, 0, 1)))) {
		t.Error("random plan the same on the next day")
	}
	for name, pl := range map[string]Planner{"abc": ABCPlanner(p), "random": rnd} {
		got := pl(cands, Capacity{Minutes: 30}, day)
		minutes := 0.0
		for _, task := range got {
			minutes += task.Minutes
		}
		// A one-item count takes 3 minutes: 10 fit in 30.
		if len(got) != 10 || minutes > 30 {
			t.Errorf("%s in 30 minutes: %d tasks, %v minutes, want 10 three-minute counts", name, len(got), minutes)
		}
	}
	for _, name := range Policies {
		if _, err := PlannerFor(name, p, 1); err != nil {
			t.Errorf("PlannerFor(%q): %v", name, err)
		}
	}
	if _, err := PlannerFor("fifo", p, 1); err == nil {
		t.Error("PlannerFor accepted an unknown policy")
	}
}

// BenchmarkPlan plans a day over 200,000 locations holding 50,000 items
// (250,000 positions) at 2% of locations a day.
func BenchmarkPlan(b *testing.B) {
	const locs, items = 200_000, 50_000
	r := rand.New(rand.NewPCG(1, 1))
	p := DefaultPolicy()
	cands := make([]Candidate, 0, locs*5/4)
	for l := int64(1); l <= locs; l++ {
		n := 1
		if l%4 == 0 {
			n = 2
		}
		for range n {
			item := int64(r.IntN(items)) + 1
			c := Candidate{
				LocationID: l, Location: fmt.Sprintf("L%06d", l), ItemID: item, SKU: fmt.Sprintf("SKU%05d", item),
				Class: Class(r.IntN(3)), RecordedUnits: r.IntN(60), UnitCost: 1 + r.Float64()*300,
				DailyVelocity: r.ExpFloat64() * 3, Touches: r.IntN(80), DaysSinceCount: float64(r.IntN(400)),
				LocationCounts: r.IntN(6), ItemCounts: r.IntN(20),
			}
			c.LocationErrors, c.ItemErrors = r.IntN(c.LocationCounts+1), r.IntN(c.ItemCounts+1)
			if r.IntN(200) == 0 {
				c.Trigger, c.Exceptions.ShortPicks = TriggerShortPick, 1
			}
			c.JustEmptied = c.RecordedUnits == 0 && r.IntN(3) == 0
			cands = append(cands, c)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := Plan(cands, Capacity{Counts: locs / 50}, p, day); len(got) == 0 {
			b.Fatal("empty plan")
		}
	}
}

// TestPlanOddFacts: a class or trigger out of range from a bad row plans
// like the nearest real one instead of panicking.
func TestPlanOddFacts(t *testing.T) {
	t.Parallel()
	c := at(1, 3)
	c.Class, c.DaysSinceCount = Class(9), 1000
	for _, pl := range []Planner{RiskPlanner(DefaultPolicy()), ABCPlanner(DefaultPolicy())} {
		got := pl([]Candidate{c, at(2, 0)}, Capacity{Counts: 1}, day)
		if len(got) != 1 || got[0].LocationID != 1 {
			t.Errorf("plan %v, want the long-uncounted location 1", locations(got))
		}
	}
}

// TestPlanBoundsZeroChecks: every bin the record says emptied is a zero
// check while they fit in Policy.ZeroCheckMaxShare of the capacity; past
// that, the riskiest are checked today and the rest left for a later day,
// and the capacity left goes to full counts.
func TestPlanBoundsZeroChecks(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.ZeroCheckMaxShare = 0.25
	var cands []Candidate
	for loc := int64(1); loc <= 20; loc++ {
		c := at(loc, 0)
		c.RecordedUnits, c.JustEmptied, c.NeighbourPutaways = 0, true, int(loc) // later bins more suspect
		cands = append(cands, c)
	}
	for loc := int64(21); loc <= 30; loc++ {
		cands = append(cands, at(loc, 10))
	}
	// 4 counts: a quarter is one count, ZeroCheckShare 1/6 of a count each,
	// so six zero checks (the riskiest emptied bins) and three full counts.
	tasks := Plan(cands, Capacity{Counts: 4}, p, day)
	var zero, full []int64
	for _, tk := range tasks {
		if tk.Kind == TaskZeroCheck {
			zero = append(zero, tk.LocationID)
		} else {
			full = append(full, tk.LocationID)
		}
	}
	if diff := cmp.Diff([]int64{20, 19, 18, 17, 16, 15}, zero); diff != "" {
		t.Errorf("zero checks (-want +got):\n%s", diff)
	}
	if len(full) != 3 {
		t.Errorf("full counts %v, want three with the rest of the capacity", full)
	}
	// Unbounded, a single emptied bin is always checked, even on a day
	// whose capacity is one count.
	p.ZeroCheckMaxShare = 0
	tasks = Plan([]Candidate{cands[0], cands[25]}, Capacity{Counts: 1}, p, day)
	if got := kinds(tasks); len(got) == 0 || got[0] != TaskZeroCheck {
		t.Errorf("kinds %v, want the emptied bin's zero check first", got)
	}
}

// TestPlanFollowsUpNeighbourDifferences: a location whose neighbour's count
// found a difference of an item it holds is counted next, after triggered
// counts and ahead of bins with higher scores, within
// Policy.FollowUpMaxShare of the capacity; past that, the rest compete on
// their score. With the share 0 there are no follow-up tasks.
func TestPlanFollowsUpNeighbourDifferences(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.FollowUpMaxShare = 0.2
	p.NeighbourItemVarianceHazard = 0 // the tier alone, not the score, puts them first
	var cands []Candidate
	for loc := int64(1); loc <= 4; loc++ {
		c := at(loc, 0)
		c.NeighbourVariances, c.NeighbourItemVariances = 1, 1
		c.NeighbourVariance = NeighbourVariance{Location: "L000", SKU: c.SKU, Units: 2, DaysAgo: 1}
		c.Touches = int(loc) // later ones riskier
		cands = append(cands, c)
	}
	for loc := int64(5); loc <= 20; loc++ {
		cands = append(cands, at(loc, 100))
	}
	short := at(21, 0)
	short.Trigger = TriggerShortPick
	cands = append(cands, short)
	// 10 counts: the trigger, two follow-ups (a fifth of 10), then risk.
	tasks := Plan(cands, Capacity{Counts: 10}, p, day)
	want := []TaskKind{TaskTriggered, TaskFollowUp, TaskFollowUp}
	if diff := cmp.Diff(want, kinds(tasks)[:3]); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{21, 4, 3}, locations(tasks)[:3]); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	if len(tasks) != 10 || tasks[3].Kind != TaskRisk {
		t.Errorf("tasks %v, want the rest of the capacity by risk", kinds(tasks))
	}
	if r := tasks[1].Reasons(); len(r) == 0 || r[0] != "follow-up: a neighbour's count found a difference of an item here" {
		t.Errorf("reasons %q", r)
	}
	p.FollowUpMaxShare = 0
	for _, tk := range Plan(cands, Capacity{Counts: 10}, p, day) {
		if tk.Kind == TaskFollowUp {
			t.Errorf("follow-up %v planned with FollowUpMaxShare 0", tk.LocationID)
		}
	}
}
