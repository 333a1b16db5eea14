package cyclecount_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

func newClassNode(t *testing.T) (*store.DB, *cyclecount.Service, *time.Time) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	locs := "code,zone,type,walk_sequence\nSHIP-01,S,ship,1\nA-01-01-A,A,pickface,1\nA-01-02-A,A,pickface,2\nA-01-03-A,A,pickface,3\nA-01-04-A,A,pickface,4\n"
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader(locs), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	items := "sku,unit_cost_cents,abc_class\nFAST,100,C\nMID,100,C\nSLOW,100,A\nNEVER,100,A\n"
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(items), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	for i, sku := range []string{"FAST", "MID", "SLOW", "NEVER"} {
		move(t, db, inventory.KindAdjust, sku, "", []string{"A-01-01-A", "A-01-02-A", "A-01-03-A", "A-01-04-A"}[i], 200)
	}
	svc := cyclecount.NewService(db, scan.Default(), cyclecount.Hooks{
		Unbacked:        func(context.Context, *store.Tx, inventory.StockKey, int64) error { return nil },
		AssignableBadge: func(context.Context, inventory.Querier, string) error { return nil },
		OnFloor:         func(context.Context, inventory.Querier, time.Time, time.Time) ([]string, error) { return nil, nil }})
	return db, svc, &now
}

// move records qty of sku from one location code to another ("" for none).
func move(t *testing.T, db *store.DB, kind, sku, from, to string, qty int64) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		it, err := inventory.ItemBySKU(ctx, tx, sku)
		if err != nil {
			return err
		}
		m := inventory.Move{Kind: kind, ItemID: it.ID, Qty: qty, Reason: "test"}
		for _, p := range []struct {
			code string
			id   *int64
		}{{from, &m.From}, {to, &m.To}} {
			if p.code == "" {
				continue
			}
			l, err := inventory.LocationByCode(ctx, tx, p.code)
			if err != nil {
				return err
			}
			*p.id = l.ID
		}
		_, err = inventory.Record(ctx, tx, m)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func classes(t *testing.T, db *store.DB, day time.Time) map[string]cyclecount.Class {
	t.Helper()
	cands, err := cyclecount.Candidates(context.Background(), db.Reader(), day)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]cyclecount.Class{}
	for _, c := range cands {
		out[c.SKU] = c.Class
	}
	return out
}

// TestClassesFromPickVelocityOncePerDay: an item's class is its share of
// the units picked over the trailing window (A the top 80%, B the next
// 15%, C the rest and the never picked), computed when a plan is made and
// at most once a day; before the node has any picks the class set on the
// item stands. The plan says which class a location counts under and why.
func TestClassesFromPickVelocityOncePerDay(t *testing.T) {
	ctx := context.Background()
	db, svc, now := newClassNode(t)
	lead := inventory.Actor{Badge: "B-LEAD", Role: inventory.Lead}
	plan := func(id string) []cyclecount.Count {
		t.Helper()
		cs, err := svc.PlanCounts(ctx, id, cyclecount.PlanInput{Date: now.Format(time.DateOnly), Counts: 10, Actor: lead})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs { // off the plan, so the next day plans them again
			if _, err := svc.RemoveTask(ctx, "rm-"+id+c.LocationCode, cyclecount.RemoveInput{CountID: c.ID, Reason: "test", Actor: lead}); err != nil {
				t.Fatal(err)
			}
		}
		return cs
	}
	reasonAt := func(cs []cyclecount.Count, loc string) string {
		for _, c := range cs {
			if c.LocationCode == loc {
				return strings.Join(c.Reasons, "; ")
			}
		}
		t.Fatalf("%s not planned: %v", loc, cs)
		return ""
	}
	// No picks yet: the items' own classes, and the plan says so.
	cs := plan("day1")
	if got := classes(t, db, *now); got["SLOW"] != cyclecount.ClassA || got["FAST"] != cyclecount.ClassC {
		t.Fatalf("classes before any pick: %v", got)
	}
	if r := reasonAt(cs, "A-01-03-A"); !strings.Contains(r, "class A as set on the item") {
		t.Fatalf("reasons at SLOW's bin before any pick: %s", r)
	}
	// Picks today do not move today's classes: computed once a day.
	for _, p := range []struct {
		sku, loc string
		n        int64
	}{{"FAST", "A-01-01-A", 80}, {"MID", "A-01-02-A", 15}, {"SLOW", "A-01-03-A", 5}} {
		move(t, db, inventory.KindPick, p.sku, p.loc, "SHIP-01", p.n)
	}
	plan("day1-again")
	if got := classes(t, db, *now); got["FAST"] != cyclecount.ClassC {
		t.Fatalf("classes recomputed within the day: %v", got)
	}
	// The next day's plan computes them from the picks.
	*now = now.Add(24 * time.Hour)
	cs = plan("day2")
	want := map[string]cyclecount.Class{"FAST": cyclecount.ClassA, "MID": cyclecount.ClassB, "SLOW": cyclecount.ClassC, "NEVER": cyclecount.ClassC}
	if got := classes(t, db, *now); len(got) != 4 || got["FAST"] != want["FAST"] || got["MID"] != want["MID"] || got["SLOW"] != want["SLOW"] || got["NEVER"] != want["NEVER"] {
		t.Fatalf("classes by velocity: %v, want %v", got, want)
	}
	if r := reasonAt(cs, "A-01-01-A"); !strings.Contains(r, "class A by pick velocity: 80 units in 30 days") {
		t.Fatalf("reasons at FAST's bin: %s", r)
	}
	if r := reasonAt(cs, "A-01-04-A"); !strings.Contains(r, "class C by pick velocity: 0 units in 30 days") {
		t.Fatalf("reasons at NEVER's bin: %s", r)
	}
	// The cut points are policy: with A the top 90% and B the next 10%, the
	// next day MID (ranked after 80% of units) is A and SLOW (after 95%) B.
	a, b, w := 90.0, 10.0, 30
	if _, err := svc.SetPolicy(ctx, "pol", cyclecount.SetPolicyInput{Actor: inventory.Actor{Badge: "B-ADMIN", Role: inventory.Admin},
		Policy: &cyclecount.PolicyUpdate{A: &cyclecount.Tolerance{Units: 1}, B: &cyclecount.Tolerance{Units: 1}, C: &cyclecount.Tolerance{Units: 1},
			AShare: &a, BShare: &b, WindowDays: &w}}); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(24 * time.Hour)
	plan("day3")
	if got := classes(t, db, *now); got["MID"] != cyclecount.ClassA || got["SLOW"] != cyclecount.ClassB {
		t.Fatalf("classes with A at 90%%, B 10%%: %v", got)
	}
	over := 60.0
	_, err := svc.SetPolicy(ctx, "pol-bad", cyclecount.SetPolicyInput{Actor: inventory.Actor{Badge: "B-ADMIN", Role: inventory.Admin},
		Policy: &cyclecount.PolicyUpdate{A: &cyclecount.Tolerance{}, B: &cyclecount.Tolerance{}, C: &cyclecount.Tolerance{}, AShare: &over, BShare: &over}})
	if err == nil {
		t.Fatal("A and B shares over 100% accepted")
	}
}
