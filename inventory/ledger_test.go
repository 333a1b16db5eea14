package inventory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
	"github.com/google/go-cmp/cmp"
)

func mustService(t testing.TB) (*inventory.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return inventory.NewService(db, scan.Default()), db
}

func mustImport(t testing.TB, what, csv string, imp func(context.Context, *strings.Reader) (inventory.ImportReport, error)) {
	t.Helper()
	rep, err := imp(context.Background(), strings.NewReader(csv))
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import %s: %v %v", what, err, rep.Errors)
	}
}

// seed creates 6 locations (one of each kind that holds stock) and 3 items.
func seedLedger(t testing.TB, db *store.DB) {
	t.Helper()
	mustImport(t, "locations", "code,zone,type,walk_sequence,capacity\n"+
		"DOCK-01,D,dock,0,0\nA-01-01-A,A,pickface,10,0\nA-01-01-B,A,storage,10,0\nA-01-02-A,A,pickface,20,0\nQUAR-01,Q,quarantine,0,0\nSHIP-01,S,ship,0,0\n",
		func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportLocations(ctx, db, scan.Default(), r, nil)
		})
	mustImport(t, "items", "sku,lot_tracked,expiry_tracked,gtins\nX1,false,false,4006381333931\nX2,true,true,\nX3,false,false,\n",
		func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportItems(ctx, db, r, nil)
		})
}

type key struct {
	loc, sku, lot, expiry, status, lpn string
}

// TestBalancesAreTheLedgerProjection runs a random mix of adjustments and
// moves, valid and invalid, then recomputes every balance from the
// movements ledger and compares it with the balances table.
func TestBalancesAreTheLedgerProjection(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			svc, db := mustService(t)
			seedLedger(t, db)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, 99))
			locs := []string{"DOCK-01", "A-01-01-A", "A-01-01-B", "A-01-02-A", "QUAR-01", "SHIP-01"}
			lots := []string{"L1", "L2"}
			refused := 0
			for i := 0; i < 400; i++ {
				sku := []string{"X1", "X2", "X3"}[rng.IntN(3)]
				lot, exp := "", ""
				if sku == "X2" {
					lot, exp = lots[rng.IntN(2)], "2027-0"+fmt.Sprint(1+rng.IntN(3))+"-15"
				}
				status := inventory.Status([]string{"available", "available", "quarantine"}[rng.IntN(3)])
				var err error
				if rng.IntN(3) == 0 {
					_, err = svc.AdjustStock(ctx, fmt.Sprint("r", i), inventory.AdjustInput{
						LocationCode: locs[rng.IntN(len(locs))], SKU: sku, Lot: lot, Expiry: exp,
						Delta: int64(rng.IntN(40) - 10), Reason: "test", Status: status,
					})
				} else {
					_, err = svc.MoveStock(ctx, fmt.Sprint("r", i), inventory.MoveInput{
						FromScan: locs[rng.IntN(len(locs))], ToScan: locs[rng.IntN(len(locs))], SKU: sku, Lot: lot, Expiry: exp,
						Qty: int64(1 + rng.IntN(15)), Status: status,
					})
				}
				if err != nil {
					if c := floorops.ErrorCode(err); c != floorops.EINVALID && c != floorops.EPRECONDITION {
						t.Fatalf("op %d: unexpected %v", i, err)
					}
					refused++
				}
			}
			if refused == 0 || refused > 350 {
				t.Fatalf("refused %d of 400 ops; the mix is not exercising both paths", refused)
			}
			if diff := cmp.Diff(replay(t, db), stored(t, db)); diff != "" {
				t.Fatalf("balances differ from the ledger (-ledger +balances):\n%s", diff)
			}
			var moves, events int
			db.Reader().QueryRow(`SELECT COUNT(*) FROM movements`).Scan(&moves)
			db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'stock_moved'`).Scan(&events)
			if moves == 0 || moves != events {
				t.Fatalf("%d movements but %d stock_moved events", moves, events)
			}
		})
	}
}

func replay(t *testing.T, db *store.DB) map[key]int64 {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT i.sku, m.lot, m.expiry, COALESCE(f.code, ''), COALESCE(tl.code, ''),
		m.from_status, m.to_status, m.from_lpn, m.to_lpn, m.qty
		FROM movements m JOIN items i ON i.id = m.item_id
		LEFT JOIN locations f ON f.id = m.from_location_id LEFT JOIN locations tl ON tl.id = m.to_location_id ORDER BY m.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[key]int64{}
	for rows.Next() {
		var sku, lot, exp, from, to, fs, ts, fl, tl string
		var qty int64
		if err := rows.Scan(&sku, &lot, &exp, &from, &to, &fs, &ts, &fl, &tl, &qty); err != nil {
			t.Fatal(err)
		}
		if from != "" {
			k := key{from, sku, lot, exp, fs, fl}
			got[k] -= qty
			if got[k] < 0 {
				t.Fatalf("ledger takes %s below zero", k)
			}
			if got[k] == 0 {
				delete(got, k)
			}
		}
		if to != "" {
			got[key{to, sku, lot, exp, ts, tl}] += qty
		}
	}
	return got
}

func stored(t *testing.T, db *store.DB) map[key]int64 {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT l.code, i.sku, b.lot, b.expiry, b.status, b.lpn, b.qty
		FROM balances b JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[key]int64{}
	for rows.Next() {
		var k key
		var qty int64
		if err := rows.Scan(&k.loc, &k.sku, &k.lot, &k.expiry, &k.status, &k.lpn, &qty); err != nil {
			t.Fatal(err)
		}
		if qty <= 0 {
			t.Fatalf("balance %v holds %d", k, qty)
		}
		got[k] = qty
	}
	return got
}

func TestBalancesNeverNegativeInTheDatabase(t *testing.T) {
	t.Parallel()
	_, db := mustService(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO locations (code, zone, type, check_code, created_at, updated_at) VALUES ('L', 'Z', 'storage', '00', 'now', 'now')`); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO items (sku, created_at, updated_at) VALUES ('S', 'now', 'now')`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO balances (location_id, item_id, status, qty, received_at) VALUES (1, 1, 'available', -1, 'now')`)
		return err
	})
	if !store.IsConstraint(err, store.ConstraintCheck) {
		t.Fatalf("negative balance: err = %v, want CHECK violation", err)
	}
}

func TestAvailableToSell(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	adj := func(id, loc string, delta int64, st inventory.Status) {
		t.Helper()
		if _, err := svc.AdjustStock(ctx, id, inventory.AdjustInput{LocationCode: loc, SKU: "X1", Delta: delta, Reason: "found", Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	adj("a", "A-01-01-A", 10, "")
	adj("b", "A-01-01-B", 5, "")
	adj("c", "DOCK-01", 7, "")                      // not yet put away: not sellable
	adj("d", "A-01-02-A", 4, inventory.Quarantined) // held: not sellable
	// Already picked (only picking puts units on a ship lane): not sellable.
	if err := db.Write(ctx, func(tx *store.Tx) error {
		it, locs, err := lookup(ctx, tx, "X1", "A-01-01-A", "SHIP-01")
		if err != nil {
			return err
		}
		_, err = inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindPick, ItemID: it.ID, From: locs[0].ID, To: locs[1].ID, Qty: 3, Ref: "SO-1"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A ship lane is picking's: no hand moves or adjustments there.
	if _, err := svc.AdjustStock(ctx, "ship-adj", inventory.AdjustInput{LocationCode: "SHIP-01", SKU: "X1", Delta: -3, Reason: "count"}); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("adjusting a ship lane: %v", err)
	}
	if _, err := svc.MoveStock(ctx, "ship-mv", inventory.MoveInput{FromScan: "SHIP-01", ToScan: "A-01-01-A", SKU: "X1", Qty: 3}); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("moving picked units back to a shelf: %v", err)
	}
	got, err := svc.AvailableToSell(ctx, []string{"x1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Availability{{SKU: "X1", OnHand: 12, ATS: 12}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ATS (-want +got):\n%s", diff)
	}
	if _, err := svc.AvailableToSell(ctx, []string{"NOPE"}); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("unknown SKU: %v", err)
	}
}

// TestLocationBlockPublishesAvailability: blocking a stocked location
// takes its units off sale, and central hears of it once. (A stocked
// location cannot change type to quarantine: TestLocationChangeKeepsStockMeaning.)
func TestLocationBlockPublishesAvailability(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	if _, err := svc.AdjustStock(ctx, "a1", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: 10, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	first, err := svc.UpsertLocation(ctx, "u1", inventory.Location{Code: "A-01-01-B", Zone: "A", Type: inventory.LocStorage, WalkSeq: 10, Blocked: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.UpsertLocation(ctx, "u1", inventory.Location{Code: "A-01-01-B", Zone: "A", Type: inventory.LocStorage, WalkSeq: 10, Blocked: true})
	if err != nil || again.ID != first.ID || first.ID == 0 {
		t.Fatalf("replayed upsert = %+v (first %+v), %v", again, first, err)
	}
	got, _ := svc.AvailableToSell(ctx, []string{"X1"})
	if got[0].ATS != 0 {
		t.Fatalf("ATS after the location was blocked = %d", got[0].ATS)
	}
	var events int
	db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'availability_changed'`).Scan(&events)
	if events != 2 { // the adjustment, then the block
		t.Fatalf("%d availability events, want 2", events)
	}
}

func TestMoveRefusesAllocatedUnits(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	if _, err := svc.AdjustStock(ctx, "a", inventory.AdjustInput{LocationCode: "A-01-01-A", SKU: "X1", Delta: 10, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	item, _ := svc.GetItem(ctx, "X1")
	loc, _ := svc.GetLocation(ctx, "A-01-01-A")
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.Allocate(ctx, tx, inventory.Allocation{StockKey: inventory.StockKey{ItemID: item.ID, LocationID: loc.ID}, Qty: 7, Ref: "SO-1/1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	move := func(id string, qty int64) error {
		_, err := svc.MoveStock(ctx, id, inventory.MoveInput{FromScan: "A-01-01-A", ToScan: "A-01-02-A", SKU: "X1", Qty: qty})
		return err
	}
	if err := move("m1", 4); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("moving 4 of 10 with 7 allocated: %v, want failed precondition", err)
	}
	if err := move("m2", 3); err != nil {
		t.Fatalf("moving the 3 free units: %v", err)
	}
}

// TestSellableStockIsOneRule: what ATS advertises is what allocation may
// use: not blocked bins, not bins waiting for a count, not expired lots.
// The ledger's own code (ATS, allocation, a movement deciding whether it
// changes ATS) states the rule only in sellableStock.
func TestSellableStockIsOneRule(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"ledger.go", "allocations.go", "stock.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if (strings.Contains(code, "'pickface'") || strings.Contains(code, ".Sellable()")) && !strings.HasPrefix(code, "var sellableStock = ") {
				t.Errorf("%s:%d states the sellable rule outside sellableStock: %s", file, i+1, strings.TrimSpace(code))
			}
		}
	}
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	now := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	adj := func(id, loc, sku, lot, exp string, delta int64) {
		t.Helper()
		if _, err := svc.AdjustStock(ctx, id, inventory.AdjustInput{LocationCode: loc, SKU: sku, Lot: lot, Expiry: exp, Delta: delta, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
	}
	ats := func(sku string) int64 {
		t.Helper()
		a, err := svc.AvailableToSell(ctx, []string{sku})
		if err != nil {
			t.Fatal(err)
		}
		return a[0].ATS
	}
	adj("x2-old", "A-01-01-B", "X2", "OLD", "2027-01-31", 5) // expired yesterday
	adj("x2-new", "A-01-01-B", "X2", "NEW", "2027-06-30", 7)
	if got := ats("X2"); got != 7 {
		t.Fatalf("ATS with an expired lot = %d, want 7", got)
	}
	adj("x1", "A-01-02-A", "X1", "", "", 9)
	if _, err := svc.UpsertLocation(ctx, "block", inventory.Location{Code: "A-01-02-A", Zone: "A", Type: inventory.LocPickFace, WalkSeq: 20, Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if got := ats("X1"); got != 0 {
		t.Fatalf("ATS in a blocked bin = %d, want 0", got)
	}
	adj("x3", "A-01-01-A", "X3", "", "", 4)
	loc, _ := svc.GetLocation(ctx, "A-01-01-A")
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: loc.ID, Reason: "short_pick"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ats("X3"); got != 0 {
		t.Fatalf("ATS in a bin waiting for a count = %d, want 0", got)
	}
	var last []byte
	db.Reader().QueryRow(`SELECT payload FROM outbox WHERE kind = 'availability_changed' ORDER BY seq DESC LIMIT 1`).Scan(&last)
	if len(last) == 0 {
		t.Fatal("no availability event for the count request")
	}
	item, _ := svc.GetItem(ctx, "X2")
	bin, _ := svc.GetLocation(ctx, "A-01-01-B")
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.Allocate(ctx, tx, inventory.Allocation{StockKey: inventory.StockKey{ItemID: item.ID, LocationID: bin.ID, Lot: "OLD", Expiry: "2027-01-31"}, Qty: 1, Ref: "SO-9/1"})
		return err
	})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("allocating an expired lot: %v, want failed precondition", err)
	}
}

func TestAdjustDownRefusesAllocatedUnits(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	if _, err := svc.AdjustStock(ctx, "a", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: 10, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	item, _ := svc.GetItem(ctx, "X1")
	loc, _ := svc.GetLocation(ctx, "A-01-01-B")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.Allocate(ctx, tx, inventory.Allocation{StockKey: inventory.StockKey{ItemID: item.ID, LocationID: loc.ID}, Qty: 10, Ref: "SO-A/1"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.AdjustStock(ctx, "lost", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: -10, Reason: "lost"})
	if !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("adjusting away allocated units: %v, want failed precondition", err)
	}
}

// TestMovesOutOfACountingBinPublishATS: a bin waiting for a count is not
// sellable, so moving stock out of it to a normal bin changes ATS, and the
// movement must publish it.
func TestMovesOutOfACountingBinPublishATS(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	if _, err := svc.AdjustStock(ctx, "a", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: 10, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	bin, _ := svc.GetLocation(ctx, "A-01-01-B")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: bin.ID, Reason: "short_pick"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	events := func() int {
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'availability_changed'`).Scan(&n)
		return n
	}
	before := events()
	if _, err := svc.MoveStock(ctx, "m", inventory.MoveInput{FromScan: "A-01-01-B", ToScan: "A-01-02-A", SKU: "X1", Qty: 10,
		Actor: inventory.Actor{Badge: "L1", Role: inventory.Lead}}); err != nil { // only a lead moves out of a held bin
		t.Fatal(err)
	}
	if got, _ := svc.AvailableToSell(ctx, []string{"X1"}); got[0].ATS != 10 {
		t.Fatalf("ATS after moving out of the counting bin = %d, want 10", got[0].ATS)
	}
	if events() != before+1 {
		t.Fatalf("the move changed ATS but published %d events", events()-before)
	}
}

// TestTrackingChangeNeedsEmptyStock: lot or expiry tracking cannot be
// switched while stock recorded under the old rule exists.
func TestTrackingChangeNeedsEmptyStock(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	it, err := svc.GetItem(ctx, "X1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdjustStock(ctx, "found", inventory.AdjustInput{LocationCode: "A-01-01-A", SKU: "X1", Delta: 2, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	lotted := it
	lotted.LotTracked = !it.LotTracked
	if _, err := svc.UpsertItem(ctx, "lot-on", lotted, inventory.ItemUpdate{}); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("switching lot tracking with stock: %v", err)
	}
	if _, err := svc.AdjustStock(ctx, "gone", inventory.AdjustInput{LocationCode: "A-01-01-A", SKU: "X1", Delta: -2, Reason: "count"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpsertItem(ctx, "lot-on-2", lotted, inventory.ItemUpdate{}); err != nil {
		t.Fatalf("switching lot tracking without stock: %v", err)
	}
}

// TestATSLeavesOutAllocationsOnUnsellableStock: units promised out of a bin
// that then waits for a count come out of neither on-hand nor allocated, so
// the other bins' free units stay on sale.
func TestATSLeavesOutAllocationsOnUnsellableStock(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	for i, loc := range []string{"A-01-01-A", "A-01-01-B"} {
		if _, err := svc.AdjustStock(ctx, fmt.Sprint("found-", i), inventory.AdjustInput{LocationCode: loc, SKU: "X1", Delta: 10, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		it, locs, err := lookup(ctx, tx, "X1", "A-01-01-A")
		if err != nil {
			return err
		}
		face := locs[0]
		if _, err := inventory.Allocate(ctx, tx, inventory.Allocation{StockKey: inventory.StockKey{ItemID: it.ID, LocationID: face.ID}, Qty: 4, Ref: "SO-1/1"}); err != nil {
			return err
		}
		_, err = inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: face.ID, Reason: "short_pick", Ref: "SO-2"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.AvailableToSell(ctx, []string{"X1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Availability{{SKU: "X1", OnHand: 10, ATS: 10}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ATS with A-01-01-A waiting for a count (-want +got):\n%s", diff)
	}
}

// lookup reads an item and locations inside a test's transaction.
func lookup(ctx context.Context, tx *store.Tx, sku string, codes ...string) (inventory.Item, []inventory.Location, error) {
	it, err := inventory.ItemBySKU(ctx, tx, sku)
	if err != nil {
		return it, nil, err
	}
	locs := make([]inventory.Location, len(codes))
	for i, code := range codes {
		if locs[i], err = inventory.LocationByCode(ctx, tx, code); err != nil {
			return it, nil, err
		}
	}
	return it, locs, nil
}
