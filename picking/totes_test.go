package picking_test

import (
	"fmt"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/store"
	"github.com/google/go-cmp/cmp"
)

// fifoGTIN is the FIFO test item's each barcode.
const fifoGTIN = "4006381333931"

// listed puts a released order on a discrete pick list of its own.
func (f *fixture) listed(t testing.TB, id string) picking.PickList {
	t.Helper()
	ls, err := f.svc.CreatePickLists(f.ctx, "pl-"+id, picking.CreateListsInput{Type: picking.Discrete, OrderIDs: []string{id}, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	return ls[0]
}

// pickAll confirms every line of a started list in full with the FIFO
// item's each barcode.
func (f *fixture) pickAll(t testing.TB, l picking.PickList) {
	t.Helper()
	for _, ln := range l.Lines {
		if _, err := f.svc.ConfirmPick(f.ctx, "pick-"+ln.LocationCode+ln.OrderID, picking.ConfirmInput{ListID: l.ID, LineID: ln.ID,
			LocationScan: ln.LocationCode, ItemScan: fifoGTIN, Qty: ln.Qty, Actor: lead}); err != nil {
			t.Fatal(err)
		}
	}
}

// onTote lists what a location holds on one LPN: "SKU qty".
func (f *fixture) onTote(t testing.TB, code, lpn string) []string {
	t.Helper()
	rows, err := f.db.Reader().QueryContext(f.ctx, `SELECT i.sku, b.qty FROM balances b JOIN items i ON i.id = b.item_id
		JOIN locations l ON l.id = b.location_id WHERE l.code = ? AND b.lpn = ? ORDER BY i.sku`, code, lpn)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sku string
		var qty int64
		if err := rows.Scan(&sku, &qty); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d", sku, qty))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTotesCarryOnlyTheirListsPicks: a tote still holding picked units at a
// ship lane cannot start another list; dropping a list's totes at another
// lane moves what the list picked, not whatever else is on the tote; and a
// cancel finds its picked units where the return task says.
func TestTotesCarryOnlyTheirListsPicks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 20)

	f.release(t, "SO-A", "FIFO", 3)
	a := f.listed(t, "SO-A")
	if _, err := f.svc.StartPickList(f.ctx, "st-a", picking.StartInput{ListID: a.ID, ToteScans: []string{"LPN-T1"}, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	f.pickAll(t, a)
	if _, err := f.svc.CompletePickList(f.ctx, "done-a", picking.CompleteInput{ListID: a.ID, ShipScan: "SHIP-01", Actor: lead}); err != nil {
		t.Fatal(err)
	}

	// SO-A's units wait on LPN-T1 at SHIP-01: the tote is not empty.
	f.release(t, "SO-B", "FIFO", 2)
	b := f.listed(t, "SO-B")
	_, err := f.svc.StartPickList(f.ctx, "st-b1", picking.StartInput{ListID: b.ID, ToteScans: []string{"LPN-T1"}, Actor: lead})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("starting a list on a tote holding another order's picks: %v, want %s", err, floorops.EPRECONDITION)
	}
	if _, err := f.svc.StartPickList(f.ctx, "st-b2", picking.StartInput{ListID: b.ID, ToteScans: []string{"LPN-T2"}, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	// Something that is not SO-B's lands on LPN-T2 at the lane.
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		it, err := inventory.ItemBySKU(f.ctx, tx, "FACE")
		if err != nil {
			return err
		}
		ship, err := inventory.LocationByCode(f.ctx, tx, "SHIP-01")
		if err != nil {
			return err
		}
		_, err = inventory.Record(f.ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: ship.ID, ToLPN: "LPN-T2",
			Qty: 5, Reason: "found", Actor: lead})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pickAll(t, b)
	// The handheld that lost its state may start its list again on its
	// own, no longer empty, tote.
	if _, err := f.svc.StartPickList(f.ctx, "st-b3", picking.StartInput{ListID: b.ID, ToteScans: []string{"LPN-T2"}, Actor: lead}); err != nil {
		t.Fatalf("restarting a list on its own tote: %v", err)
	}
	if _, err := f.svc.CompletePickList(f.ctx, "done-b", picking.CompleteInput{ListID: b.ID, ShipScan: "SHIP-02", Actor: lead}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lane, tote string
		want       []string
	}{
		{"SHIP-01", "LPN-T1", []string{"FIFO 3"}},
		{"SHIP-01", "LPN-T2", []string{"FACE 5"}},
		{"SHIP-02", "LPN-T2", []string{"FIFO 2"}},
	} {
		if diff := cmp.Diff(tc.want, f.onTote(t, tc.lane, tc.tote)); diff != "" {
			t.Errorf("%s on %s (-want +got):\n%s", tc.lane, tc.tote, diff)
		}
	}

	// Each cancel's return task is where its order's picks are.
	for _, tc := range []struct {
		order, lane, tote string
		qty               int64
	}{
		{"SO-A", "SHIP-01", "LPN-T1", 3},
		{"SO-B", "SHIP-02", "LPN-T2", 2},
	} {
		res, err := f.svc.CancelOrder(f.ctx, "c-"+tc.order, picking.CancelInput{OrderID: tc.order, Reason: "test", Actor: lead})
		if err != nil {
			t.Fatal(err)
		}
		want := []picking.ReturnTask{{OrderID: tc.order, SKU: "FIFO", LocationCode: tc.lane, Tote: tc.tote, Qty: tc.qty, HandedToPutaway: true}}
		if diff := cmp.Diff(want, res.Returns, cmpIgnoreID); diff != "" {
			t.Errorf("return tasks of %s (-want +got):\n%s", tc.order, diff)
		}
		if len(f.returned) == 0 {
			t.Fatalf("%s: nothing handed back to stock", tc.order)
		}
		if got := f.returned[len(f.returned)-1]; got.LPN != tc.tote || got.Qty != tc.qty || !got.Restock {
			t.Errorf("%s handed back to stock %+v, want %d on %s", tc.order, got, tc.qty, tc.tote)
		}
	}
}

var cmpIgnoreID = cmp.Transformer("noID", func(r picking.ReturnTask) picking.ReturnTask { r.ID = 0; return r })

// TestClosedLinesLetGoOfTheirAllocation: a line picked in full no longer
// points at its allocation, which is deleted (and whose row id SQLite may
// hand out again); a partly picked line still does.
func TestClosedLinesLetGoOfTheirAllocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 20)
	f.release(t, "SO-1", "FIFO", 5)
	l := f.listed(t, "SO-1")
	if _, err := f.svc.StartPickList(f.ctx, "st", picking.StartInput{ListID: l.ID, ToteScans: []string{"LPN-T1"}, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	allocation := func() (id int64, held int64) {
		t.Helper()
		err := f.db.Reader().QueryRowContext(f.ctx, `SELECT COALESCE(t.allocation_id, 0), COALESCE(a.qty, 0)
			FROM pick_tasks t LEFT JOIN allocations a ON a.id = t.allocation_id WHERE t.id = ?`, l.Lines[0].ID).Scan(&id, &held)
		if err != nil {
			t.Fatal(err)
		}
		return id, held
	}
	for i, step := range []struct {
		qty      int64
		wantHeld int64 // 0: no allocation id on the line
	}{{2, 3}, {3, 0}} {
		if _, err := f.svc.ConfirmPick(f.ctx, fmt.Sprintf("pick-%d", i), picking.ConfirmInput{ListID: l.ID, LineID: l.Lines[0].ID,
			LocationScan: "A-01-01-A", ItemScan: fifoGTIN, Qty: step.qty, Actor: lead}); err != nil {
			t.Fatal(err)
		}
		id, held := allocation()
		if held != step.wantHeld || (step.wantHeld == 0) != (id == 0) {
			t.Fatalf("after picking %d: allocation id %d holding %d, want holding %d", step.qty, id, held, step.wantHeld)
		}
	}
}

// TestShortPickChecksAScannedItem: an associate who reports nothing found
// but scans an item must have scanned the line's item; a wrong one is a
// rejected scan, not a short.
func TestShortPickChecksAScannedItem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 5)
	f.release(t, "SO-S", "FIFO", 3)
	l := f.listed(t, "SO-S")
	if _, err := f.svc.StartPickList(f.ctx, "st-s", picking.StartInput{ListID: l.ID, ToteScans: []string{"LPN-S1"}, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	line := l.Lines[0]
	_, err := f.svc.ShortPick(f.ctx, "short-wrong", picking.ShortInput{ListID: l.ID, LineID: line.ID, LocationScan: line.LocationCode,
		ItemScan: "09506000134352", Reason: "empty", Actor: lead})
	if err == nil || floorops.IsCode(err, floorops.EINTERNAL) {
		t.Fatalf("short pick with another item's scan: %v, want a refusal", err)
	}
	if _, err := f.svc.ShortPick(f.ctx, "short-ok", picking.ShortInput{ListID: l.ID, LineID: line.ID, LocationScan: line.LocationCode,
		ItemScan: "4006381333931", Reason: "empty", Actor: lead}); err != nil {
		t.Fatal(err)
	}
}

// TestListOfCancelledOrdersIsNotStarted: a list whose every order was
// cancelled before picking has nothing to pick and ties up no tote.
func TestListOfCancelledOrdersIsNotStarted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 5)
	f.release(t, "SO-C", "FIFO", 2)
	l := f.listed(t, "SO-C")
	if _, err := f.svc.CancelOrder(f.ctx, "cancel-c", picking.CancelInput{OrderID: "SO-C", Actor: lead}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.StartPickList(f.ctx, "st-c", picking.StartInput{ListID: l.ID, ToteScans: []string{"LPN-C1"}, Actor: lead})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("starting a list of cancelled orders: %v, want %s", err, floorops.EPRECONDITION)
	}
	_, err = f.svc.StartPickList(f.ctx, "st-next", picking.StartInput{ToteScans: []string{"LPN-C1"}, Actor: lead})
	if !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("the next list handed out a list of cancelled orders: %v", err)
	}
}

// TestItemWithoutBarcodeIsConfirmedBySKU: an item with no GTIN is picked
// by typing its SKU; an item with a barcode must be scanned.
func TestItemWithoutBarcodeIsConfirmedBySKU(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FACE", "", "", 5) // FACE has no GTIN
	f.stock(t, "A-01-02-A", "FIFO", "", "", 5)
	f.release(t, "SO-NB", "FACE", 2)
	f.release(t, "SO-B", "FIFO", 1)
	for _, tc := range []struct {
		order, typed string
		ok           bool
	}{{"SO-NB", " face ", true}, {"SO-B", "fifo", false}} {
		l := f.listed(t, tc.order)
		if _, err := f.svc.StartPickList(f.ctx, "st-"+tc.order, picking.StartInput{ListID: l.ID, ToteScans: []string{"LPN-" + tc.order[3:] + "1"}, Actor: lead}); err != nil {
			t.Fatal(err)
		}
		ln := l.Lines[0]
		_, err := f.svc.ConfirmPick(f.ctx, "pick-"+tc.order, picking.ConfirmInput{ListID: l.ID, LineID: ln.ID,
			LocationScan: ln.LocationCode, ItemScan: tc.typed, Qty: ln.Qty, Actor: lead})
		if tc.ok && err != nil {
			t.Errorf("%s: typing the SKU of an item without a barcode: %v", tc.order, err)
		}
		if !tc.ok && !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("%s: typing the SKU of an item with a barcode: %v, want %s", tc.order, err, floorops.EINVALID)
		}
	}
}
