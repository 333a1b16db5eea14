package putaway_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

func TestSuggestStrategies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(t *testing.T, f *fixture)
		sku, lot string
		qty      int64
		status   inventory.Status
		want     string
		strategy putaway.Strategy
		reason   string
		wantQty  int64
	}{
		{name: "fast mover to the first empty pick face in zone A", sku: "SKU-A", qty: 10,
			want: "A-01-01-A", strategy: putaway.StrategyVelocityZone, reason: "empty pick face in zone A for velocity class A, nearest to the walk start"},
		{name: "too many for a pick face goes to storage in the zone", sku: "SKU-A", qty: 30,
			want: "A-01-01-B", strategy: putaway.StrategyVelocityZone, reason: "empty storage location in zone A"},
		{name: "consolidate with the same lot", sku: "SKU-L", lot: "L1", qty: 10,
			setup: func(t *testing.T, f *fixture) { f.stock(t, "C-01-02-B", "SKU-L", "L1", 14) },
			want:  "C-01-02-B", strategy: putaway.StrategyConsolidate, reason: "consolidate with units of the same lot"},
		{name: "another lot is not consolidated; pick face holding the item", sku: "SKU-L", lot: "L2", qty: 5,
			setup: func(t *testing.T, f *fixture) {
				f.stock(t, "C-01-02-B", "SKU-L", "L1", 14)
				f.stock(t, "C-01-01-A", "SKU-L", "L1", 3)
			},
			want: "C-01-01-A", strategy: putaway.StrategyHomePickFace, reason: "pick face already holding SKU-L"},
		{name: "home pick face", sku: "SKU-B", qty: 10,
			setup: func(t *testing.T, f *fixture) { f.home(t, "SKU-B", "B-01-01-A") },
			want:  "B-01-01-A", strategy: putaway.StrategyHomePickFace, reason: "home pick face of SKU-B"},
		{name: "another item's home is not an empty slot", sku: "SKU-A", qty: 10,
			setup: func(t *testing.T, f *fixture) { f.home(t, "SKU-B", "A-01-01-A") },
			want:  "A-01-01-B", strategy: putaway.StrategyVelocityZone},
		{name: "a location held for a count is avoided", sku: "SKU-A", qty: 10,
			setup: func(t *testing.T, f *fixture) { f.hold(t, "A-01-01-A") },
			want:  "A-01-01-B", strategy: putaway.StrategyVelocityZone},
		{name: "held for a count: not consolidated there", sku: "SKU-L", lot: "L1", qty: 10,
			setup: func(t *testing.T, f *fixture) {
				f.stock(t, "C-01-02-B", "SKU-L", "L1", 14)
				f.hold(t, "C-01-02-B")
			},
			want: "C-01-01-A", strategy: putaway.StrategyVelocityZone},
		{name: "held for a count: not the home pick face", sku: "SKU-B", qty: 10,
			setup: func(t *testing.T, f *fixture) {
				f.home(t, "SKU-B", "B-01-01-A")
				f.hold(t, "B-01-01-A")
			},
			want: "B-01-01-B", strategy: putaway.StrategyVelocityZone},
		{name: "held for a count: not any empty storage", sku: "SKU-B", qty: 10,
			setup: func(t *testing.T, f *fixture) {
				f.stock(t, "B-01-01-A", "SKU-A", "", 1)
				f.stock(t, "B-01-01-B", "SKU-A", "", 1)
				f.hold(t, "A-01-01-B")
			},
			want: "A-01-02-B", strategy: putaway.StrategyAnyEmpty},
		{name: "zone full: any empty storage", sku: "SKU-B", qty: 10,
			setup: func(t *testing.T, f *fixture) {
				f.stock(t, "B-01-01-A", "SKU-A", "", 1)
				f.stock(t, "B-01-01-B", "SKU-A", "", 1)
			},
			want: "A-01-01-B", strategy: putaway.StrategyAnyEmpty, reason: "empty storage location nearest to the walk start"},
		{name: "held stock to quarantine", sku: "SKU-A", qty: 4, status: inventory.Quarantined,
			want: "Q-01", strategy: putaway.StrategyQuarantine},
		{name: "nothing takes it all: split", sku: "SKU-A", qty: 1000,
			want: "A-01-01-A", strategy: putaway.StrategyVelocityZone, reason: "room for only 20 of the 1000 units", wantQty: 20},
		{name: "emptied location is empty again", sku: "SKU-A", qty: 10,
			setup: func(t *testing.T, f *fixture) {
				f.stock(t, "A-01-01-A", "SKU-B", "", 2)
				loc, item := f.location(t, "A-01-01-A"), f.item(t, "SKU-B")
				if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
					_, err := inventory.Record(f.ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: item.ID, From: loc.ID, Qty: 2, Reason: "lost"})
					return err
				}); err != nil {
					t.Fatal(err)
				}
			},
			want: "A-01-01-A", strategy: putaway.StrategyVelocityZone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			task := f.stage(t, inventory.StagedStock{Lot: tt.lot, Qty: tt.qty, Status: tt.status}, tt.sku)
			_, sg, err := f.svc.SuggestLocation(f.ctx, task.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if sg.LocationCode != tt.want || sg.Strategy != tt.strategy {
				t.Fatalf("suggested %s by %s (%s), want %s by %s", sg.LocationCode, sg.Strategy, sg.Reason, tt.want, tt.strategy)
			}
			if !strings.Contains(sg.Reason, tt.reason) {
				t.Errorf("reason %q does not say %q", sg.Reason, tt.reason)
			}
			wantQty := tt.wantQty
			if wantQty == 0 {
				wantQty = tt.qty
			}
			if sg.Qty != wantQty {
				t.Errorf("suggested quantity %d, want %d", sg.Qty, wantQty)
			}
			_, again, err := f.svc.SuggestLocation(f.ctx, task.ID, "")
			if err != nil || again != sg {
				t.Fatalf("same floor, different suggestion: %+v then %+v (%v)", sg, again, err)
			}
		})
	}
}

func (f *fixture) home(t *testing.T, sku, code string) {
	t.Helper()
	if _, err := f.svc.SetHomeLocation(f.ctx, "home-"+sku+code, putaway.HomeInput{SKU: sku, LocationCode: code, Actor: lead}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) hold(t *testing.T, code string) {
	t.Helper()
	loc := f.location(t, code)
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := inventory.RequestCount(f.ctx, tx, inventory.CountRequest{LocationID: loc.ID, Reason: inventory.ExceptionShortPick})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSuggestByScan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.stage(t, inventory.StagedStock{Qty: 5, LPN: "LPN-0001"}, "SKU-A")
	f.stage(t, inventory.StagedStock{Qty: 6}, "SKU-A")
	for _, raw := range []string{"lpn-0001\r\n", "4006381333931", "]C1010400638133393110ABC"} {
		task, _, err := f.svc.SuggestLocation(f.ctx, 0, raw)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if task.ID != first.ID {
			t.Errorf("%q chose task %d, want the oldest open one, %d", raw, task.ID, first.ID)
		}
	}
	for raw, code := range map[string]floorops.Code{
		"":           floorops.EINVALID,
		"A-01-01-A":  floorops.EINVALID,
		"LPN-9999":   floorops.ENOTFOUND,
		"0614141000": floorops.EINVALID,
	} {
		if _, _, err := f.svc.SuggestLocation(f.ctx, 0, raw); !floorops.IsCode(err, code) {
			t.Errorf("scan %q: err = %v, want %s", raw, err, code)
		}
	}
	if _, _, err := f.svc.SuggestLocation(f.ctx, 999, ""); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Errorf("unknown task: %v", err)
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := inventory.Actor{Badge: "B-ASSOC", Device: "hh-1"}
	confirm := func(id, scan string, task int64, qty int64, override string) (putaway.Confirmation, error) {
		return f.svc.ConfirmPutaway(f.ctx, id, putaway.ConfirmInput{TaskID: task, Scan: scan, Qty: qty, Override: override, Actor: a})
	}

	// Directed location, confirmed by its barcode, in two parts.
	task := f.stage(t, inventory.StagedStock{Qty: 15}, "SKU-A")
	c, err := confirm("c1", "A-01-01-A\r\n", task.ID, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Overridden || c.Directed != "A-01-01-A" || c.Task.State != putaway.TaskOpen || c.Task.Remaining() != 5 ||
		c.Movement.Kind != inventory.KindPutaway || c.Movement.From != "STG-01" || c.Movement.To != "A-01-01-A" {
		t.Fatalf("first part: %+v", c)
	}
	if again, err := confirm("c1", "A-01-01-A\r\n", task.ID, 10, ""); err != nil || again.Movement.ID != c.Movement.ID {
		t.Fatalf("retry wrote again: %+v %v", again, err)
	}
	// The rest consolidates with the first 10, confirmed by check code.
	code := scan.CheckCode("A-01-01-A")
	if _, err := confirm("c2", "13", task.ID, 5, ""); !floorops.IsCode(err, floorops.EINVALID) || code == "13" {
		t.Fatalf("wrong check code: %v", err)
	}
	c, err = confirm("c2", code, task.ID, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Task.State != putaway.TaskDone || c.Task.PutQty != 15 || c.Task.ClosedAt.IsZero() {
		t.Fatalf("task after the last units: %+v", c.Task)
	}
	if _, err := confirm("c3", "A-01-01-A", task.ID, 1, ""); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("confirming a done task: %v", err)
	}

	// Refusals change nothing.
	task = f.stage(t, inventory.StagedStock{Qty: 8}, "SKU-B")
	for _, tt := range []struct {
		name, scan, override string
		qty                  int64
		code                 floorops.Code
		field                string
	}{
		{"other location without a reason", "A-01-02-B", "", 8, floorops.EINVALID, "override_reason"},
		{"no such location", "Z-09-09-Z", "", 8, floorops.ENOTFOUND, ""},
		{"blocked", "A-01-03-B", "full", 8, floorops.EPRECONDITION, ""},
		{"blocked, without a reason", "A-01-03-B", "", 8, floorops.EPRECONDITION, ""},
		{"no room, without a reason", "A-01-01-A", "", 8, floorops.EPRECONDITION, ""},
		{"dock is not storage", "DOCK-01", "x", 8, floorops.EINVALID, "location_scan"},
		{"its own staging lane", "STG-01", "x", 8, floorops.EINVALID, "location_scan"},
		{"not a location", "4006381333931", "", 8, floorops.EINVALID, "location_scan"},
		{"eaches must be counted", "B-01-01-A", "", 0, floorops.EINVALID, "quantity"},
		{"more than is left", "B-01-01-A", "", 9, floorops.EINVALID, "quantity"},
		{"no room", "A-01-01-A", "x", 8, floorops.EPRECONDITION, ""},
	} {
		_, err := confirm("bad-"+tt.name, tt.scan, task.ID, tt.qty, tt.override)
		if !floorops.IsCode(err, tt.code) {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" {
			if e := err.(*floorops.Error); len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Errorf("%s: field violations %v, want %s", tt.name, e.Fields, tt.field)
			}
		}
	}
	if got, _ := f.svc.GetTask(f.ctx, task.ID); got.PutQty != 0 {
		t.Fatalf("a refused confirm changed the task: %+v", got)
	}

	// Override: accepted with a reason and recorded as an exception there.
	c, err = confirm("c4", "A-01-02-B", task.ID, 8, "directed bin damaged")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Overridden || c.Directed != "B-01-01-A" || c.Movement.Reason != "directed bin damaged" {
		t.Fatalf("override: %+v", c)
	}
	var n int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM exceptions WHERE kind = ? AND location_id = ? AND user_badge = 'B-ASSOC'`,
		inventory.ExceptionPutawayOverride, f.location(t, "A-01-02-B").ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("override exceptions at A-01-02-B: %d %v", n, err)
	}

	// A whole pallet confirms without counting.
	task = f.stage(t, inventory.StagedStock{Qty: 40, LPN: "LPN-7"}, "SKU-L")
	if c, err = confirm("c5", "C-01-01-B", task.ID, 0, ""); err != nil || c.Task.State != putaway.TaskDone || c.Movement.Qty != 40 {
		t.Fatalf("whole pallet: %+v %v", c, err)
	}
	f.checkLedger(t)
}

func TestCreateAndCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "STG-01", "SKU-A", "", 10)
	in := putaway.CreateInput{FromScan: "STG-01", SKU: "sku-a", Qty: 6, Actor: lead}
	task, err := f.svc.CreateAdhocTask(f.ctx, "t1", in)
	if err != nil || task.Origin != putaway.OriginAdhoc || task.Qty != 6 || task.CreatedBy != "B-LEAD" {
		t.Fatalf("create: %+v %v", task, err)
	}
	in.Qty = 5
	if _, err := f.svc.CreateAdhocTask(f.ctx, "t2", in); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("tasking units already tasked: %v", err)
	}
	if _, err := f.svc.CreateAdhocTask(f.ctx, "t3", putaway.CreateInput{}); !floorops.IsCode(err, floorops.EINVALID) ||
		len(err.(*floorops.Error).Fields) != 3 {
		t.Fatalf("empty input: %v", err)
	}
	got, err := f.svc.CancelTask(f.ctx, "x1", putaway.CancelInput{TaskID: task.ID, Reason: "duplicate", Actor: lead})
	if err != nil || got.State != putaway.TaskCancelled || got.CancelReason != "duplicate" {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, err := f.svc.CancelTask(f.ctx, "x2", putaway.CancelInput{TaskID: task.ID, Reason: "again"}); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("cancel twice: %v", err)
	}
	if _, err := f.svc.CancelTask(f.ctx, "x3", putaway.CancelInput{TaskID: 404, Reason: "x"}); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("cancel unknown: %v", err)
	}
	if _, err := f.svc.CreateAdhocTask(f.ctx, "t4", in); err != nil {
		t.Fatalf("units of a cancelled task can be tasked again: %v", err)
	}
}

func TestListTasksOldestFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var ids []int64
	for i := range 5 {
		f.db.Now = func() time.Time { return start.Add(time.Duration(5-i) * time.Minute) }
		ids = append([]int64{f.stage(t, inventory.StagedStock{Qty: 1}, "SKU-A").ID}, ids...)
	}
	var got []int64
	tok := ""
	for {
		ts, next, err := f.svc.ListTasks(f.ctx, 2, tok)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range ts {
			got = append(got, task.ID)
		}
		if tok = next; tok == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("tasks %v, want oldest first %v", got, ids)
	}
	if _, _, err := f.svc.ListTasks(f.ctx, 2, "nope!"); !floorops.IsCode(err, floorops.EINVALID) {
		t.Fatalf("bad token: %v", err)
	}
}

// TestCapacityRace sends several associates with different tasks to the
// same last free room at once: the task it is reserved for, directed there,
// and the others with an override reason. Exactly one fits, the others are
// refused and are directed elsewhere, and the location is never over
// capacity.
func TestCapacityRace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "C-01-01-A", "SKU-L", "L1", 15) // room for 5 more
	const n = 6
	tasks := make([]putaway.Task, n)
	directed := map[string]bool{}
	for i := range tasks {
		tasks[i] = f.stage(t, inventory.StagedStock{Lot: "L1", Qty: 5}, "SKU-L")
		_, sg, err := f.svc.SuggestLocation(f.ctx, tasks[i].ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if (i == 0) != (sg.LocationCode == "C-01-01-A") || directed[sg.LocationCode] {
			t.Fatalf("task %d directed to %s after %v: the last room is the first task's, and no two tasks share a slot", i, sg.LocationCode, directed)
		}
		directed[sg.LocationCode] = true
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range tasks {
		override := "closer"
		if i == 0 {
			override = ""
		}
		wg.Go(func() {
			_, errs[i] = f.svc.ConfirmPutaway(f.ctx, fmt.Sprintf("race-%d", i), putaway.ConfirmInput{
				TaskID: tasks[i].ID, Scan: "C-01-01-A", Qty: 5, Override: override, Actor: inventory.Actor{Badge: fmt.Sprintf("B-%d", i)},
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case floorops.IsCode(err, floorops.EPRECONDITION):
			_, sg, err := f.svc.SuggestLocation(f.ctx, tasks[i].ID, "")
			if err != nil || sg.LocationCode == "C-01-01-A" {
				t.Errorf("loser %d: new suggestion %s, %v", i, sg.LocationCode, err)
			}
		default:
			t.Errorf("confirm %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d associates put away into the last room, want 1", won)
	}
	var fill int64
	if err := f.db.Reader().QueryRow(`SELECT SUM(qty) FROM balances WHERE location_id = ?`, f.location(t, "C-01-01-A").ID).Scan(&fill); err != nil || fill != 20 {
		t.Fatalf("C-01-01-A holds %d (%v), capacity 20", fill, err)
	}
	f.checkLedger(t)
}

func TestDockToStock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	minutes := map[string][]int{"SKU-A": {10, 20, 30}, "SKU-B": {60}}
	for _, sku := range []string{"SKU-A", "SKU-B"} {
		for i, m := range minutes[sku] {
			now = now.Add(time.Hour)
			task := f.stage(t, inventory.StagedStock{Qty: 2}, sku)
			now = now.Add(time.Duration(m) * time.Minute)
			if _, err := f.svc.ConfirmPutaway(f.ctx, fmt.Sprintf("%s-%d", sku, i), putaway.ConfirmInput{
				TaskID: task.ID, Scan: f.directed(t, task.ID), Qty: 2,
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.stage(t, inventory.StagedStock{Qty: 1}, "SKU-L") // open: not counted
	// A restock put away at once is not dock-to-stock.
	restock := f.stage(t, inventory.StagedStock{Qty: 1, Restock: true}, "SKU-B")
	if restock.Origin != putaway.OriginRestock {
		t.Fatalf("restock task origin %q", restock.Origin)
	}
	if _, err := f.svc.ConfirmPutaway(f.ctx, "restock", putaway.ConfirmInput{TaskID: restock.ID, Scan: f.directed(t, restock.ID), Qty: 1}); err != nil {
		t.Fatal(err)
	}
	overall, items, next, err := f.svc.GetDockToStock(f.ctx, time.Time{}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	want := putaway.DockToStock{Tasks: 4, Units: 8, P50: 20 * time.Minute, P90: 60 * time.Minute, Avg: 30 * time.Minute}
	if overall != want {
		t.Errorf("overall %+v, want %+v", overall, want)
	}
	wantA := putaway.DockToStock{SKU: "SKU-A", Tasks: 3, Units: 6, P50: 20 * time.Minute, P90: 30 * time.Minute, Avg: 20 * time.Minute}
	if len(items) != 2 || items[0] != wantA || items[1].SKU != "SKU-B" || next != "" {
		t.Errorf("per SKU %+v next %q", items, next)
	}
	_, items, next, err = f.svc.GetDockToStock(f.ctx, time.Time{}, 1, "")
	if err != nil || len(items) != 1 || next == "" {
		t.Fatalf("page 1: %v %q %v", items, next, err)
	}
	if _, items, _, err = f.svc.GetDockToStock(f.ctx, time.Time{}, 1, next); err != nil || len(items) != 1 || items[0].SKU != "SKU-B" {
		t.Fatalf("page 2: %v %v", items, err)
	}
}

func (f *fixture) directed(t *testing.T, task int64) string {
	t.Helper()
	_, sg, err := f.svc.SuggestLocation(f.ctx, task, "")
	if err != nil {
		t.Fatal(err)
	}
	return sg.LocationCode
}

// TestCreateTaskChecksTrackingLikeMoves: an ad-hoc task names stock the
// way a move does, by the one rule inventory.CheckTracking: a lot on an item
// that is not lot tracked, or an expiry on an item without one, is a
// malformed request naming the field (no such stock can exist), not
// "too few units on hand"; a tracked item needs its lot or expiry.
func TestCreateTaskChecksTrackingLikeMoves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rep, err := inventoryapi.ImportItems(f.ctx, f.db, strings.NewReader("sku,lot_tracked,expiry_tracked\nSKU-E,false,true\n"), nil)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import: %v %v", err, rep.Errors)
	}
	f.stock(t, "STG-01", "SKU-A", "", 10)
	tests := []struct {
		name  string
		in    putaway.CreateInput
		field string
	}{
		{"lot on an item not lot tracked", putaway.CreateInput{SKU: "SKU-A", Lot: "L1"}, "lot"},
		{"expiry on an item without one", putaway.CreateInput{SKU: "SKU-A", Expiry: "2027-01-31"}, "expiry"},
		{"no lot on a lot-tracked item", putaway.CreateInput{SKU: "SKU-L"}, "lot"},
		{"no expiry on an expiry-tracked item", putaway.CreateInput{SKU: "SKU-E"}, "expiry"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.FromScan, tt.in.Qty, tt.in.Actor = "STG-01", 1, lead
			_, err := f.svc.CreateAdhocTask(f.ctx, fmt.Sprintf("track-%d", i), tt.in)
			var fe *floorops.Error
			if !floorops.IsCode(err, floorops.EINVALID) || !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Fatalf("err = %#v, want invalid naming %s", err, tt.field)
			}
		})
	}
	tasks, _, err := f.svc.ListTasks(f.ctx, 0, "")
	if err != nil || len(tasks) != 0 {
		t.Fatalf("refused tasks were created: %+v %v", tasks, err)
	}
}
