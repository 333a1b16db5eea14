package putaway_test

import (
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

func (f *fixture) confirm(t *testing.T, requestID string, task int64, scan string, qty int64) (putaway.Confirmation, error) {
	t.Helper()
	return f.svc.ConfirmPutaway(f.ctx, requestID, putaway.ConfirmInput{TaskID: task, Scan: scan, Qty: qty, Actor: lead})
}

// TestSuggestReservesRoom stages two items of the same velocity class: the
// second is not sent to the empty slot the first was directed to, asking
// again gives the same answers, and each confirms where it was told without
// an override, one item per bin.
func TestSuggestReservesRoom(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a1 := f.stage(t, inventory.StagedStock{Qty: 10}, "SKU-A")
	a2 := f.stage(t, inventory.StagedStock{Qty: 10}, "SKU-A2")
	want := map[int64]string{a1.ID: "A-01-01-A", a2.ID: "A-01-01-B"}
	for range 2 {
		for _, task := range []int64{a1.ID, a2.ID} {
			if got := f.directed(t, task); got != want[task] {
				t.Fatalf("task %d directed to %s, want %s", task, got, want[task])
			}
		}
	}
	for _, task := range []int64{a2.ID, a1.ID} {
		c, err := f.confirm(t, "reserved-"+want[task], task, want[task], 10)
		if err != nil {
			t.Fatalf("task %d at %s: %v", task, want[task], err)
		}
		if c.Overridden || c.Directed != want[task] {
			t.Errorf("task %d at %s: overridden %v, directed %s", task, want[task], c.Overridden, c.Directed)
		}
	}
	var mixed int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM (SELECT location_id FROM balances
		GROUP BY location_id HAVING COUNT(DISTINCT item_id) > 1)`).Scan(&mixed); err != nil || mixed != 0 {
		t.Fatalf("%d bins hold more than one item (%v)", mixed, err)
	}
	f.checkLedger(t)
}

// TestConfirmAtReservedLocation changes the floor after a task was directed
// (the same item turns up in storage, so a fresh suggestion would
// consolidate there): the location the associate was sent to still
// confirms, by barcode and by check code, as directed.
func TestConfirmAtReservedLocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	task := f.stage(t, inventory.StagedStock{Qty: 10}, "SKU-A")
	if got := f.directed(t, task.ID); got != "A-01-01-A" {
		t.Fatalf("directed to %s, want A-01-01-A", got)
	}
	f.stock(t, "A-01-02-B", "SKU-A", "", 5)
	for i, scanned := range []string{"A-01-01-A", f.location(t, "A-01-01-A").CheckCode} {
		c, err := f.confirm(t, "at-reserved-"+scanned, task.ID, scanned, 5)
		if err != nil {
			t.Fatalf("confirm %d at the reserved location: %v", i, err)
		}
		if c.Overridden || c.Directed != "A-01-01-A" {
			t.Fatalf("confirm %d: overridden %v, directed %s", i, c.Overridden, c.Directed)
		}
	}
	f.checkLedger(t)
}

// TestReservationNoLongerFits fills, blocks or retypes the location a task
// was directed to: confirming there, by barcode or check code, is
// FailedPrecondition (not a wrong scan), and a fresh suggestion is given
// and confirms.
func TestReservationNoLongerFits(t *testing.T) {
	t.Parallel()
	const reserved = "A-01-01-A"
	for _, tt := range []struct {
		name   string
		change func(t *testing.T, f *fixture)
	}{
		{"filled", func(t *testing.T, f *fixture) { f.stock(t, reserved, "SKU-B", "", 15) }},
		{"blocked", func(t *testing.T, f *fixture) {
			f.relocate(t, reserved, func(l *inventory.Location) { l.Blocked = true })
		}},
		{"no longer storage", func(t *testing.T, f *fixture) {
			f.relocate(t, reserved, func(l *inventory.Location) { l.Type = inventory.LocStaging })
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			task := f.stage(t, inventory.StagedStock{Qty: 10}, "SKU-A")
			if got := f.directed(t, task.ID); got != reserved {
				t.Fatalf("directed to %s, want %s", got, reserved)
			}
			tt.change(t, f)
			check := f.location(t, reserved).CheckCode
			if check == scan.CheckCode("A-01-01-B") {
				t.Fatalf("%s and A-01-01-B share check code %s", reserved, check)
			}
			for _, scanned := range []string{reserved, check} {
				if _, err := f.confirm(t, "stale-"+scanned, task.ID, scanned, 10); !floorops.IsCode(err, floorops.EPRECONDITION) {
					t.Errorf("confirm by %s at the stale reservation: %v, want %s", scanned, err, floorops.EPRECONDITION)
				}
			}
			fresh := f.directed(t, task.ID)
			if fresh == reserved {
				t.Fatalf("fresh suggestion is the stale reservation %s", fresh)
			}
			c, err := f.confirm(t, "fresh", task.ID, fresh, 10)
			if err != nil || c.Overridden || c.Task.State != putaway.TaskDone {
				t.Fatalf("confirm at the fresh suggestion %s: %+v %v", fresh, c, err)
			}
			f.checkLedger(t)
		})
	}
}

// relocate rewrites a location's master data.
func (f *fixture) relocate(t *testing.T, code string, change func(*inventory.Location)) {
	t.Helper()
	l := f.location(t, code)
	change(&l)
	if _, err := inventory.NewService(f.db, scan.Default()).UpsertLocation(f.ctx, "relocate-"+code, l); err != nil {
		t.Fatal(err)
	}
}

// TestSuggestBySSCC finds a received pallet's task by its SSCC, scanned
// plain, human-readable or as a GS1 label without a GTIN (a gross weight,
// AI 3301, or a PO, AI 400: a count, AI 37, needs the content GTIN).
func TestSuggestBySSCC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const sscc = "106141411234567897"
	f.stage(t, inventory.StagedStock{Qty: 3, LPN: "LPN-0002"}, "SKU-B")
	pallet := f.stage(t, inventory.StagedStock{Qty: 24, LPN: sscc}, "SKU-B")
	for _, raw := range []string{sscc, "]C100" + sscc, "(00)" + sscc, "00" + sscc + "\r\n", "]C100" + sscc + "3301001234", "]C100" + sscc + "400PO-4711"} {
		task, _, err := f.svc.SuggestLocation(f.ctx, 0, raw)
		if err != nil {
			t.Errorf("%q: %v", raw, err)
			continue
		}
		if task.ID != pallet.ID {
			t.Errorf("%q chose task %d, want the pallet's, %d", raw, task.ID, pallet.ID)
		}
	}
	other := "00614141000000001"
	d, _ := scan.GS1CheckDigit(other)
	if _, _, err := f.svc.SuggestLocation(f.ctx, 0, "]C100"+other+string(d)); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Errorf("unknown SSCC: %v, want %s", err, floorops.ENOTFOUND)
	}
	if _, err := f.confirm(t, "pallet", pallet.ID, f.directed(t, pallet.ID), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SuggestLocation(f.ctx, 0, sscc); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Errorf("SSCC of a pallet already put away: %v, want %s", err, floorops.ENOTFOUND)
	}
}

// TestShrunkTaskReservesOnlyItsUnits shrinks a directed task (its staged
// stock was partly taken back): its reservation holds only the units it
// still has, and the rest of the room goes to another task.
func TestShrunkTaskReservesOnlyItsUnits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "C-01-01-A", "SKU-L", "L1", 10) // room for 10 more
	first := f.stage(t, inventory.StagedStock{Lot: "L1", Qty: 10}, "SKU-L")
	if got := f.directed(t, first.ID); got != "C-01-01-A" {
		t.Fatalf("first task directed to %s, want C-01-01-A", got)
	}
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(f.ctx, `UPDATE putaway_tasks SET qty = 2 WHERE id = ?`, first.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	second := f.stage(t, inventory.StagedStock{Lot: "L1", Qty: 8}, "SKU-L")
	if _, sg, err := f.svc.SuggestLocation(f.ctx, second.ID, ""); err != nil || sg.LocationCode != "C-01-01-A" || sg.Qty != 8 {
		t.Fatalf("second task directed to %s for %d units (%v), want all 8 to C-01-01-A", sg.LocationCode, sg.Qty, err)
	}
}
