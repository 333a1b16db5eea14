package picking_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
	"github.com/google/go-cmp/cmp"
)

// A small building: pick faces (level A) and storage (levels B, C) in walk
// order, one blocked bin, two ship lanes.
const testLocations = `code,zone,type,walk_sequence,capacity,blocked
SHIP-01,SHIP,ship,0,0,false
SHIP-02,SHIP,ship,1,0,false
A-01-01-A,A,pickface,10,0,false
A-01-01-B,A,storage,10,0,false
A-01-02-A,A,pickface,20,0,false
A-01-02-B,A,storage,20,0,false
A-01-02-C,A,storage,20,0,false
A-01-03-A,A,pickface,30,0,false
A-01-03-B,A,storage,30,0,true
A-01-04-A,A,pickface,40,0,false
A-01-04-B,A,storage,40,0,false
`

const testItems = `sku,lot_tracked,expiry_tracked,gtins
FIFO,false,false,04006381333931
FACE,false,false,
FEW,false,false,
HELD,false,false,
FEFO,true,true,
`

type fixture struct {
	db    *store.DB
	svc   *picking.Service
	ctx   context.Context
	clock time.Time
	// returned is what picking handed back to stock (Hooks.ReturnToStock).
	returned []inventory.StagedStock
}

var lead = inventory.Actor{Badge: "B-LEAD", Device: "test"}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, ctx: ctx, clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.svc = picking.NewService(db, scan.Default(), picking.Hooks{CountRequested: func(context.Context, *store.Tx, int64, int64) error { return nil }, ReturnToStock: func(_ context.Context, _ *store.Tx, st inventory.StagedStock) error {
		f.returned = append(f.returned, st)
		return nil
	}})
	db.Now = func() time.Time { return f.clock }
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader(testLocations), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import locations: %v %v", err, rep.Errors)
	}
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(testItems), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import items: %v %v", err, rep.Errors)
	}
	return f
}

// stock records units arriving at a location on the fixture's clock.
func (f *fixture) stock(t testing.TB, code, sku, lot, expiry string, qty int64) {
	t.Helper()
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		it, err := inventory.ItemBySKU(f.ctx, tx, sku)
		if err != nil {
			return err
		}
		l, err := inventory.LocationByCode(f.ctx, tx, code)
		if err != nil {
			return err
		}
		_, err = inventory.Record(f.ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, Lot: lot, Expiry: expiry,
			To: l.ID, Qty: qty, Reason: "found", Actor: lead})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) release(t testing.TB, id, sku string, qty int64) picking.Order {
	t.Helper()
	rel, err := f.svc.ReleaseOrders(f.ctx, "rel-"+id, picking.ReleaseInput{Actor: lead, Orders: []picking.OrderInput{{
		OrderID: id, Channel: picking.Direct, ShipBy: f.clock.Add(48 * time.Hour), Lines: []picking.LineInput{{SKU: sku, Qty: qty}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := rel.Results[0]; r.Outcome != picking.Released {
		t.Fatalf("release %s: %+v", id, r)
	}
	return *rel.Results[0].Order
}

// taken lists where an order's units were allocated: "location lot qty".
func (f *fixture) taken(t testing.TB, id string) []string {
	t.Helper()
	ls, err := f.svc.CreatePickLists(f.ctx, "pl-"+id, picking.CreateListsInput{Type: picking.Discrete, OrderIDs: []string{id}, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls[0].Lines {
		out = append(out, strings.Join(strings.Fields(fmt.Sprintf("%s %s %d", l.LocationCode, l.Lot, l.Qty)), " "))
	}
	return out
}

func TestAllocationRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	day1 := f.clock
	// FIFO: the older receipt in storage goes before the newer pick face.
	f.stock(t, "A-01-04-B", "FIFO", "", "", 5)
	// FACE: same day, pick face before storage. FEW: same day, one bin that
	// covers the line before two that do not.
	f.stock(t, "A-01-01-B", "FACE", "", "", 50)
	f.stock(t, "A-01-02-A", "FACE", "", "", 3)
	f.stock(t, "A-01-01-B", "FEW", "", "", 4)
	f.stock(t, "A-01-02-B", "FEW", "", "", 3)
	f.stock(t, "A-01-02-C", "FEW", "", "", 10)
	// FEFO: the earliest expiry first, wherever it is; rotation beats the
	// pick face.
	f.stock(t, "A-01-03-A", "FEFO", "LATE", "2027-01-31", 10)
	f.stock(t, "A-01-04-B", "FEFO", "SOON", "2026-04-30", 2)
	// HELD: only its first pick face is allocatable: the rest is in a
	// blocked bin or one waiting for a count.
	f.stock(t, "A-01-01-A", "HELD", "", "", 2)
	f.stock(t, "A-01-03-B", "HELD", "", "", 9)
	f.stock(t, "A-01-04-A", "HELD", "", "", 9)
	f.clock = day1.AddDate(0, 0, 1)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 20)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		l, err := inventory.LocationByCode(f.ctx, tx, "A-01-04-A")
		if err != nil {
			return err
		}
		_, err = inventory.RequestCount(f.ctx, tx, inventory.CountRequest{LocationID: l.ID, Reason: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		sku         string
		qty         int64
		want        []string
		backordered int64
	}{
		{"FIFO", 7, []string{"A-01-01-A 2", "A-01-04-B 5"}, 0},
		{"FACE", 5, []string{"A-01-01-B 2", "A-01-02-A 3"}, 0},
		{"FEW", 8, []string{"A-01-02-C 8"}, 0},
		{"FEFO", 4, []string{"A-01-03-A LATE 2", "A-01-04-B SOON 2"}, 0},
		{"HELD", 5, []string{"A-01-01-A 2"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.sku, func(t *testing.T) {
			o := f.release(t, "SO-"+tt.sku, tt.sku, tt.qty)
			if got := o.Lines[0].Backordered; got != tt.backordered {
				t.Errorf("backordered %d, want %d", got, tt.backordered)
			}
			if diff := cmp.Diff(tt.want, f.taken(t, "SO-"+tt.sku)); diff != "" {
				t.Errorf("allocated from (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreatePickListsByRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-B", "FACE", "", "", 500)
	for i := range 7 {
		f.release(t, fmt.Sprintf("SO-%d", i), "FACE", 1)
	}
	lists, err := f.svc.CreatePickLists(f.ctx, "rule-1", picking.CreateListsInput{Type: picking.Batch, MaxOrders: 3, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, l := range lists {
		sizes = append(sizes, len(l.OrderIDs))
	}
	if diff := cmp.Diff([]int{3, 3, 1}, sizes); diff != "" {
		t.Fatalf("orders per batch list (-want +got):\n%s", diff)
	}
	page, next, err := f.svc.ListPickLists(f.ctx, picking.ListOpen, 2, "")
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("first page: %d lists, token %q, %v", len(page), next, err)
	}
	page, next, err = f.svc.ListPickLists(f.ctx, picking.ListOpen, 2, next)
	if err != nil || len(page) != 1 || next != "" || page[0].ID != lists[0].ID {
		t.Fatalf("last page: %v, token %q, %v", page, next, err)
	}
	again, err := f.svc.CreatePickLists(f.ctx, "rule-2", picking.CreateListsInput{Type: picking.Batch, Actor: lead})
	if err != nil || len(again) != 0 {
		t.Fatalf("second rule run listed orders again: %v %v", again, err)
	}
	_, err = f.svc.CreatePickLists(f.ctx, "rule-3", picking.CreateListsInput{Type: picking.Discrete, OrderIDs: []string{"SO-1"}, Actor: lead})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("listing a listed order: %v", err)
	}
	_, err = f.svc.CreatePickLists(f.ctx, "rule-4", picking.CreateListsInput{Type: "wave", Actor: lead})
	if !floorops.IsCode(err, floorops.EINVALID) {
		t.Fatalf("unknown list type: %v", err)
	}
}

// TestBackordersFilledWhenListing: stock that arrives after release goes to
// the backordered lines of released orders, most urgent first, when a lead
// builds pick lists; a listed order's backorder is left to central.
func TestBackordersFilledWhenListing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-B", "FIFO", "", "", 4)
	listed := f.release(t, "SO-LISTED", "FIFO", 6) // takes the 4, 2 backordered
	if _, err := f.svc.CreatePickLists(f.ctx, "pl-listed", picking.CreateListsInput{Type: picking.Discrete, OrderIDs: []string{"SO-LISTED"}, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	waiting := f.release(t, "SO-WAIT", "FIFO", 5) // nothing left: all 5 backordered
	if listed.Lines[0].Backordered != 2 || waiting.Lines[0].Backordered != 5 {
		t.Fatalf("backorders at release: %d and %d", listed.Lines[0].Backordered, waiting.Lines[0].Backordered)
	}
	_, err := f.svc.CreatePickLists(f.ctx, "pl-wait-0", picking.CreateListsInput{Type: picking.Discrete, OrderIDs: []string{"SO-WAIT"}, Actor: lead})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("listing an order with nothing in stock: %v", err)
	}

	f.stock(t, "A-01-02-B", "FIFO", "", "", 3) // a partial delivery arrives
	lists, err := f.svc.CreatePickLists(f.ctx, "pl-rule", picking.CreateListsInput{Type: picking.Discrete, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || len(lists[0].OrderIDs) != 1 || lists[0].OrderIDs[0] != "SO-WAIT" {
		t.Fatalf("lists after stock arrived: %+v", lists)
	}
	var onList int64
	for _, l := range lists[0].Lines {
		onList += l.Qty
	}
	if onList != 3 {
		t.Fatalf("SO-WAIT's list holds %d units, want the 3 that arrived", onList)
	}
	for id, want := range map[string]int64{"SO-WAIT": 2, "SO-LISTED": 2} {
		o, err := f.svc.GetOrder(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Lines[0].Backordered; got != want {
			t.Errorf("%s backordered %d, want %d", id, got, want)
		}
	}
	var reports int
	if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'order_allocated'`).Scan(&reports); err != nil {
		t.Fatal(err)
	}
	if reports != 3 { // two releases and the fill
		t.Fatalf("%d OrderAllocated events, want 3", reports)
	}
}
