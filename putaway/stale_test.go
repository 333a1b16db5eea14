package putaway_test

import (
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// lose records units leaving a location outside putaway, as a lead's
// adjustment does.
func (f *fixture) lose(t testing.TB, code, sku string, qty int64, lpn string) {
	t.Helper()
	loc, item := f.location(t, code), f.item(t, sku)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := inventory.Record(f.ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: item.ID, From: loc.ID,
			FromLPN: lpn, Qty: qty, Reason: "lost", Actor: lead})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) task(t testing.TB, id int64) putaway.Task {
	t.Helper()
	task, err := f.svc.GetTask(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (f *fixture) listed(t testing.TB) map[int64]putaway.Task {
	t.Helper()
	ts, _, err := f.svc.ListTasks(f.ctx, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]putaway.Task{}
	for _, task := range ts {
		out[task.ID] = task
	}
	return out
}

// TestStaleTaskDoesNotBlockNewStock: 12 units staged and tasked, one of
// them adjusted away; staging one more unit of the same stock succeeds,
// the old task keeps the 11 still there and the new one takes the new
// unit. When all of it leaves, the queue no longer lists the tasks: the
// one with nothing put away is cancelled, the one partly put away is done
// with what was put.
func TestStaleTaskDoesNotBlockNewStock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.stage(t, inventory.StagedStock{Qty: 12}, "SKU-A")
	f.lose(t, "STG-01", "SKU-A", 1, "")
	second := f.stage(t, inventory.StagedStock{Qty: 1}, "SKU-A") // was: only 0 units ... (12 on hand, 12 tasked)
	if got := f.task(t, first.ID); got.State != putaway.TaskOpen || got.Remaining() != 11 {
		t.Fatalf("older task after one of its units left: %+v, want 11 open", got)
	}
	if got := f.task(t, second.ID); got.Remaining() != 1 {
		t.Fatalf("new task: %+v", got)
	}

	part := f.stage(t, inventory.StagedStock{Qty: 8}, "SKU-B")
	if _, err := f.confirm(t, "part", part.ID, f.directed(t, part.ID), 3); err != nil {
		t.Fatal(err)
	}
	f.lose(t, "STG-01", "SKU-A", 12, "")
	f.lose(t, "STG-01", "SKU-B", 5, "")
	if got := f.listed(t); len(got) != 0 {
		t.Fatalf("queue lists tasks whose units left: %+v", got)
	}
	for _, id := range []int64{first.ID, second.ID} {
		if got := f.task(t, id); got.State != putaway.TaskCancelled || got.CancelReason == "" || got.ClosedAt.IsZero() {
			t.Errorf("task %d with none of its units left: %+v, want cancelled with a reason", id, got)
		}
	}
	if got := f.task(t, part.ID); got.State != putaway.TaskDone || got.Qty != 3 || got.PutQty != 3 || got.ClosedAt.IsZero() {
		t.Errorf("partly put away task after the rest left: %+v, want done with 3", got)
	}
	f.checkLedger(t)
}

// TestOpenClaimsFollowTheTasks: what the open tasks of a stock claim is
// kept in one row per stock (migration 0017) through every way a task
// changes: created, partly and wholly put away, trimmed when units leave,
// cancelled.
func TestOpenClaimsFollowTheTasks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a1 := f.stage(t, inventory.StagedStock{Qty: 5}, "SKU-A")
	f.checkLedger(t)
	a2 := f.stage(t, inventory.StagedStock{Qty: 5}, "SKU-A")
	b := f.stage(t, inventory.StagedStock{Qty: 8}, "SKU-B")
	f.checkLedger(t)
	if _, err := f.confirm(t, "a1-part", a1.ID, f.directed(t, a1.ID), 2); err != nil {
		t.Fatal(err)
	}
	f.checkLedger(t)
	if _, err := f.confirm(t, "b-all", b.ID, f.directed(t, b.ID), 8); err != nil {
		t.Fatal(err)
	}
	f.checkLedger(t)
	f.lose(t, "STG-01", "SKU-A", 4, "")
	f.listed(t) // trims a2
	f.checkLedger(t)
	if _, err := f.svc.CancelTask(f.ctx, "cancel-a1", putaway.CancelInput{TaskID: a1.ID, Reason: "test", Actor: lead}); err != nil {
		t.Fatal(err)
	}
	f.checkLedger(t)
	if got := f.task(t, a2.ID); got.State != putaway.TaskOpen || got.Remaining() != 1 {
		t.Fatalf("newer task after 4 of its stock left: %+v, want 1 open", got)
	}
	if _, err := f.svc.CancelTask(f.ctx, "cancel-a2", putaway.CancelInput{TaskID: a2.ID, Reason: "test", Actor: lead}); err != nil {
		t.Fatal(err)
	}
	f.checkLedger(t)
	var rows int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM putaway_open_claims`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Fatalf("%d claim rows left with no open task", rows)
	}
}

// TestNewestStaleTaskIsTrimmedFirst: of two tasks of the same stock the
// newest gives up units first when some leave.
func TestNewestStaleTaskIsTrimmedFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	older := f.stage(t, inventory.StagedStock{Qty: 5}, "SKU-A")
	newer := f.stage(t, inventory.StagedStock{Qty: 4}, "SKU-A")
	f.lose(t, "STG-01", "SKU-A", 6, "")
	got := f.listed(t)
	if len(got) != 1 || got[older.ID].Remaining() != 3 {
		t.Fatalf("queue after 6 of 9 units left: %+v, want only the older task with 3", got)
	}
	if f.task(t, newer.ID).State != putaway.TaskCancelled {
		t.Fatalf("newer task: %+v", f.task(t, newer.ID))
	}
}

// TestConfirmRefusesUnitsThatLeft: a task whose units are not all at its
// source any more is refused at the shelf and nothing moves; asking for
// the task again cuts it to what is there, which then confirms.
func TestConfirmRefusesUnitsThatLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	task := f.stage(t, inventory.StagedStock{Qty: 10, LPN: "LPN-0042"}, "SKU-B")
	dest := f.directed(t, task.ID)
	f.lose(t, "STG-01", "SKU-B", 3, "LPN-0042")
	for _, qty := range []int64{5, 0} { // part of it, or the whole pallet
		if _, err := f.confirm(t, "left", task.ID, dest, qty); !floorops.IsCode(err, floorops.EPRECONDITION) {
			t.Fatalf("confirm %d of a task with 3 of its 10 units gone: %v, want %s", qty, err, floorops.EPRECONDITION)
		}
	}
	if got := f.task(t, task.ID); got.PutQty != 0 || got.Qty != 10 {
		t.Fatalf("refused confirm changed the task: %+v", got)
	}
	got, sg, err := f.svc.SuggestLocation(f.ctx, task.ID, "")
	if err != nil || got.Remaining() != 7 || sg.Qty != 7 {
		t.Fatalf("task asked for again: %+v %+v %v, want 7 units", got, sg, err)
	}
	c, err := f.confirm(t, "rest", task.ID, sg.LocationCode, 0)
	if err != nil || c.Task.State != putaway.TaskDone || c.Movement.Qty != 7 {
		t.Fatalf("confirm what is there: %+v %v", c, err)
	}
	f.checkLedger(t)
}

// TestSuggestClosesTaskWithNothingLeft: asked for by id, a task none of
// whose units are at its source is refused and closed for good; asked for
// by scan, the next task for what was scanned is chosen instead.
func TestSuggestClosesTaskWithNothingLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gone := f.stage(t, inventory.StagedStock{Qty: 5}, "SKU-A")
	other := f.stage(t, inventory.StagedStock{Qty: 2, LocationID: f.location(t, "DOCK-01").ID}, "SKU-A")
	f.lose(t, "STG-01", "SKU-A", 5, "")
	task, _, err := f.svc.SuggestLocation(f.ctx, 0, "4006381333931")
	if err != nil || task.ID != other.ID {
		t.Fatalf("scan chose task %d (%v), want %d: the oldest task's units are gone", task.ID, err, other.ID)
	}
	if got := f.task(t, gone.ID); got.State != putaway.TaskCancelled {
		t.Fatalf("stale task passed over: %+v", got)
	}

	again := f.stage(t, inventory.StagedStock{Qty: 4, LocationID: f.location(t, "DOCK-01").ID}, "SKU-B")
	f.lose(t, "DOCK-01", "SKU-B", 4, "")
	if _, _, err := f.svc.SuggestLocation(f.ctx, again.ID, ""); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("suggest for a task whose units all left: %v, want %s", err, floorops.EPRECONDITION)
	}
	if got := f.task(t, again.ID); got.State != putaway.TaskCancelled {
		t.Fatalf("task after the refusal: %+v, want cancelled", got)
	}
}

// TestSuggestByPalletLabel: a GS1 pallet label with both an SSCC and a
// GTIN finds the pallet's task, not the item's oldest; an SSCC no task is
// on falls back to the item.
func TestSuggestByPalletLabel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const sscc = "106141411234567897"
	noTask := "00614141000000001"
	d, _ := scan.GS1CheckDigit(noTask)
	noTask += string(d)
	loose := f.stage(t, inventory.StagedStock{Qty: 6}, "SKU-A")
	pallet := f.stage(t, inventory.StagedStock{Qty: 24, LPN: sscc}, "SKU-A")
	for label, want := range map[string]int64{
		"]C100" + sscc + "0204006381333931" + "3724":   pallet.ID,
		"]C100" + noTask + "0204006381333931" + "3724": loose.ID,
	} {
		task, _, err := f.svc.SuggestLocation(f.ctx, 0, label)
		if err != nil || task.ID != want {
			t.Errorf("%q chose task %d (%v), want %d", label, task.ID, err, want)
		}
	}
}

// TestHomeLocationRefusals: a pick face that is another item's home, or
// holds another item's stock, cannot become an item's home.
func TestHomeLocationRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	set := func(sku, code string) error {
		_, err := f.svc.SetHomeLocation(f.ctx, "home-"+sku+"-"+code, putaway.HomeInput{SKU: sku, LocationCode: code, Actor: lead})
		return err
	}
	f.home(t, "SKU-B", "B-01-01-A")
	f.stock(t, "A-01-02-A", "SKU-B", "", 2)
	f.stock(t, "A-01-01-A", "SKU-A", "", 2)
	for _, tt := range []struct {
		name, sku, code string
		want            floorops.Code
	}{
		{"another item's home", "SKU-A", "B-01-01-A", floorops.EPRECONDITION},
		{"holds another SKU", "SKU-A", "A-01-02-A", floorops.EPRECONDITION},
		{"holds its own SKU", "SKU-A", "A-01-01-A", ""},
		{"moved to an empty face", "SKU-B", "C-01-01-A", ""},
		{"the face it left is free", "SKU-A2", "B-01-01-A", ""},
	} {
		if err := set(tt.sku, tt.code); floorops.ErrorCode(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
