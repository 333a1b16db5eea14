package putaway_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// A small building: a dock, a staging lane, quarantine, and zones A, B, C
// each with pick faces (level A, 20 units) and storage (level B, 100 units)
// in walk order.
const testLocations = `code,zone,type,walk_sequence,capacity,blocked
DOCK-01,DOCK,dock,0,0,false
STG-01,DOCK,staging,0,0,false
Q-01,RET,quarantine,5,0,false
A-01-01-A,A,pickface,10,20,false
A-01-01-B,A,storage,10,100,false
A-01-02-A,A,pickface,20,20,false
A-01-02-B,A,storage,20,100,false
A-01-03-B,A,storage,25,100,true
B-01-01-A,B,pickface,30,20,false
B-01-01-B,B,storage,30,100,false
C-01-01-A,C,pickface,40,20,false
C-01-01-B,C,storage,40,100,false
C-01-02-B,C,storage,50,100,false
`

const testItems = `sku,abc_class,lot_tracked,gtins
SKU-A,A,false,04006381333931
SKU-A2,A,false,
SKU-B,B,false,
SKU-L,C,true,
`

type fixture struct {
	db  *store.DB
	svc *putaway.Service
	ctx context.Context
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, imp := range []struct {
		fn  func(context.Context, *strings.Reader) (inventory.ImportReport, error)
		csv string
	}{
		{func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportLocations(ctx, db, scan.Default(), r, nil)
		}, testLocations},
		{func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportItems(ctx, db, r, nil)
		}, testItems},
	} {
		rep, err := imp.fn(ctx, strings.NewReader(imp.csv))
		if err != nil || len(rep.Errors) > 0 {
			t.Fatalf("import: %v %v", err, rep.Errors)
		}
	}
	return &fixture{db: db, svc: putaway.NewService(db, scan.Default(), putaway.Hooks{BeingCounted: noCounts}), ctx: ctx}
}

// noCounts is putaway.Hooks.BeingCounted on a node with no count being
// counted (counting is cyclecount's, which these tests do not run).
func noCounts(context.Context, inventory.Querier) (map[int64]bool, error) { return nil, nil }

var lead = inventory.Actor{Badge: "B-LEAD", Device: "test"}

func (f *fixture) location(t testing.TB, code string) inventory.Location {
	t.Helper()
	l, err := inventory.LocationByCode(f.ctx, f.db.Reader(), code)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *fixture) item(t testing.TB, sku string) inventory.Item {
	t.Helper()
	it, err := inventory.ItemBySKU(f.ctx, f.db.Reader(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// stock records units found at a location, as an adjustment.
func (f *fixture) stock(t testing.TB, code, sku, lot string, qty int64) {
	t.Helper()
	loc, item := f.location(t, code), f.item(t, sku)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := inventory.Record(f.ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: item.ID, Lot: lot, To: loc.ID, Qty: qty, Reason: "found", Actor: lead})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stage receives units into STG-01 and creates their putaway task in the
// same transaction, the way receiving's staged-stock hook does.
func (f *fixture) stage(t testing.TB, st inventory.StagedStock, sku string) putaway.Task {
	t.Helper()
	st.ItemID = f.item(t, sku).ID
	if st.LocationID == 0 {
		st.LocationID = f.location(t, "STG-01").ID
	}
	if st.Status == "" {
		st.Status = inventory.Available
	}
	var task putaway.Task
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		if _, err := inventory.Record(f.ctx, tx, inventory.Move{
			Kind: inventory.KindReceive, ItemID: st.ItemID, Lot: st.Lot, To: st.LocationID,
			FromStatus: st.Status, ToLPN: st.LPN, Qty: st.Qty, Ref: "PO-1", Actor: lead,
		}); err != nil {
			return err
		}
		var err error
		task, err = f.svc.CreateTask(f.ctx, tx, st)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// checkLedger recomputes every balance from the movements ledger and
// compares it with the balances table.
func (f *fixture) checkLedger(t testing.TB) {
	t.Helper()
	checkLedger(t, f.db)
}

func checkLedger(t testing.TB, db *store.DB) {
	t.Helper()
	var diffs int
	err := db.Reader().QueryRow(`WITH ledger AS (
			SELECT to_location_id AS loc, item_id, lot, expiry, to_status AS status, to_lpn AS lpn, qty FROM movements WHERE to_location_id IS NOT NULL
			UNION ALL
			SELECT from_location_id, item_id, lot, expiry, from_status, from_lpn, -qty FROM movements WHERE from_location_id IS NOT NULL),
		sums AS (SELECT loc, item_id, lot, expiry, status, lpn, SUM(qty) AS qty FROM ledger GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(qty) <> 0)
		SELECT (SELECT COUNT(*) FROM (
				SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums
				EXCEPT SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances))
			+ (SELECT COUNT(*) FROM (
				SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances
				EXCEPT SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums))`).Scan(&diffs)
	if err != nil {
		t.Fatal(err)
	}
	if diffs != 0 {
		t.Fatalf("%d balances differ from the ledger", diffs)
	}
	checkClaims(t, db)
}

// checkClaims compares putaway_open_claims, kept by triggers, with what
// the open tasks of each stock claim, summed.
func checkClaims(t testing.TB, db *store.DB) {
	t.Helper()
	var diffs int
	err := db.Reader().QueryRow(`WITH sums AS (
			SELECT from_location_id, item_id, lot, expiry, status, lpn, SUM(qty - put_qty) AS claimed FROM putaway_tasks
			WHERE state = 'open' GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(qty - put_qty) > 0)
		SELECT (SELECT COUNT(*) FROM (SELECT * FROM sums EXCEPT
				SELECT from_location_id, item_id, lot, expiry, status, lpn, claimed FROM putaway_open_claims))
			+ (SELECT COUNT(*) FROM (SELECT from_location_id, item_id, lot, expiry, status, lpn, claimed FROM putaway_open_claims
				EXCEPT SELECT * FROM sums))`).Scan(&diffs)
	if err != nil {
		t.Fatal(err)
	}
	if diffs != 0 {
		t.Fatalf("%d open claims differ from the open tasks", diffs)
	}
}
