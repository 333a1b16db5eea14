package cyclecount

import (
	"testing"

	"github.com/floorops/floorops/inventory"
)

// TestWhoSeesWhatACountExpects: counts are blind for associates only.
func TestWhoSeesWhatACountExpects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role inventory.Role
		sees bool
	}{{inventory.Associate, false}, {inventory.Lead, true}, {inventory.Admin, true}, {inventory.Integration, true}} {
		a := inventory.Actor{Badge: "B1", Role: tt.role}
		if got := SeesExpected(a); got != tt.sees {
			t.Errorf("SeesExpected(%s) = %v, want %v", tt.role, got, tt.sees)
		}
		c := Count{State: StatePosted, Lines: []Line{{SKU: "X", Counted: 4, Snapshot: 6}, {SKU: "Y", Counted: 0, Snapshot: 3}}}
		seen := c.seenBy(a)
		for _, l := range seen.Lines {
			if !tt.sees && (l.Snapshot != 0 || !seen.blind) {
				t.Errorf("%s sees the record of %s: %+v", tt.role, l.SKU, l)
			}
		}
		if !tt.sees && len(seen.Lines) != 1 {
			t.Errorf("%s sees the items the record expects but they did not count: %+v", tt.role, seen.Lines)
		}
		task := Count{State: StateOpen, Score: 2, Reasons: []string{"unit cost $240, 12 units ($2880.00)"}}.seenBy(a)
		if got := len(task.Reasons) > 0 || task.Score != 0; got != tt.sees {
			t.Errorf("%s sees a task's reasons (which name the units recorded): %v, want %v", tt.role, got, tt.sees)
		}
		counting := Count{State: StateCounting, Lines: c.Lines}.seenBy(a)
		if got := len(counting.Lines) > 0; got != tt.sees {
			t.Errorf("%s sees the snapshot of a count in progress: %v, want %v", tt.role, got, tt.sees)
		}
	}
}

// TestWhoMayDecideAndRecount: leads decide; a recount is not its first
// counter's, unless a lead takes it.
func TestWhoMayDecideAndRecount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a              inventory.Actor
		notBy          string
		decide, retake bool
	}{
		{inventory.Actor{Badge: "B1", Role: inventory.Associate}, "B1", false, false},
		{inventory.Actor{Badge: "B2", Role: inventory.Associate}, "B1", false, true},
		{inventory.Actor{Badge: "B1", Role: inventory.Associate}, "", false, true},
		{inventory.Actor{Badge: "B1", Role: inventory.Lead}, "B1", true, true},
		{inventory.Actor{Badge: "B1", Role: inventory.Admin}, "B1", true, true},
		{inventory.Actor{Badge: "K", Role: inventory.Integration}, "B1", false, true},
	} {
		if got := MayDecide(tt.a); got != tt.decide {
			t.Errorf("MayDecide(%+v) = %v, want %v", tt.a, got, tt.decide)
		}
		if got := MayTakeRecount(tt.a, tt.notBy); got != tt.retake {
			t.Errorf("MayTakeRecount(%+v, %q) = %v, want %v", tt.a, tt.notBy, got, tt.retake)
		}
	}
	if MaySetPolicy(inventory.Actor{Role: inventory.Lead}) || !MaySetPolicy(inventory.Actor{Role: inventory.Admin}) {
		t.Error("only an admin sets the counting policy")
	}
}

// TestToleranceWithin: a difference is within tolerance when within every
// limit set; no limit at all accepts only an exact count.
func TestToleranceWithin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                    string
		tol                     Tolerance
		snapshot, counted, cost int64
		want                    bool
	}{
		{"exact, no limits", Tolerance{}, 10, 10, 100, true},
		{"off by one, no limits", Tolerance{}, 10, 9, 100, false},
		{"within units", Tolerance{Units: 2}, 10, 8, 100, true},
		{"beyond units", Tolerance{Units: 2}, 10, 13, 100, false},
		{"within percent", Tolerance{Percent: 10}, 20, 18, 100, true},
		{"beyond percent", Tolerance{Percent: 10}, 20, 17, 100, false},
		{"percent of the count when the record is 0", Tolerance{Percent: 50}, 0, 1, 100, false},
		{"within value", Tolerance{ValueCents: 500}, 10, 5, 100, true},
		{"beyond value", Tolerance{ValueCents: 500}, 10, 4, 100, false},
		{"every limit must hold", Tolerance{Units: 5, Percent: 1}, 100, 98, 1, false},
		{"a huge difference does not overflow", Tolerance{ValueCents: 1}, 0, 10_000_000, 100_000_000, false},
	} {
		if got := tt.tol.Within(tt.snapshot, tt.counted, tt.cost); got != tt.want {
			t.Errorf("%s: Within(%d, %d, %d) = %v, want %v", tt.name, tt.snapshot, tt.counted, tt.cost, got, tt.want)
		}
	}
}
