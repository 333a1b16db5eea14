package cyclecount_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// A putaway into a bin makes the bins either side of it in the zone's walk
// order suspect (a unit meant for one is most often put in its neighbour),
// and the node's candidates carry that tally, with the units put away here
// and next door (errors go unit by unit), to the risk score.
func TestCandidatesCountNeighbouringPutaways(t *testing.T) {
	ctx := context.Background()
	db := floorDB(t, "code,zone,type,walk_sequence\nSTG-01,D,staging,1\nA-01-01-A,A,pickface,1\nA-01-02-A,A,pickface,2\nA-01-03-A,A,pickface,3\nA-01-04-A,A,pickface,4\n", "sku,unit_cost_cents\nNB-1,100\n")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		it, err := inventory.ItemBySKU(ctx, tx, "NB-1")
		if err != nil {
			return err
		}
		id := map[string]int64{}
		for _, code := range []string{"STG-01", "A-01-01-A", "A-01-02-A", "A-01-03-A", "A-01-04-A"} {
			l, err := inventory.LocationByCode(ctx, tx, code)
			if err != nil {
				return err
			}
			id[code] = l.ID
			if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: l.ID, Qty: 10, Reason: "found"}); err != nil {
				return err
			}
		}
		if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: id["STG-01"], Qty: 40, Reason: "found"}); err != nil {
			return err
		}
		if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindPutaway, ItemID: it.ID, From: id["STG-01"], To: id["A-01-02-A"], Qty: 2}); err != nil {
			return err
		}
		_, err = inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindPutaway, ItemID: it.ID, From: id["STG-01"], To: id["A-01-02-A"], Qty: 5})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().Add(24 * time.Hour)
	cands, err := cyclecount.Candidates(ctx, db.Reader(), day)
	if err != nil {
		t.Fatal(err)
	}
	type put struct{ neighbours, neighbourUnits, units int }
	got := map[string]put{}
	for _, c := range cands {
		got[c.Location] = put{c.NeighbourPutaways, c.NeighbourPutawayUnits, c.PutawayUnits}
	}
	// Two putaways of 2 and 5 units into A-01-02-A: its neighbours hear of
	// both and their 7 units, and it holds the 7 units put away itself.
	want := map[string]put{"A-01-01-A": {2, 7, 0}, "A-01-02-A": {0, 0, 7}, "A-01-03-A": {2, 7, 0}, "A-01-04-A": {0, 0, 0}}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%s: %+v (neighbouring putaways, their units, units put away here), want %+v (all: %v)", code, got[code], n, got)
		}
	}
	// Counted when the first putaway was the last movement: A-01-02-A's
	// touches and units since are the second putaway's.
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO counts (id, location_id, state, start_movement_id, created_at)
			SELECT 900, l.id, 'posted', (SELECT MAX(id) FROM movements) - 1, '2030-01-01T00:00:00.000000000Z' FROM locations l WHERE l.code = 'A-01-02-A'`)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO count_history (count_id, location_id, item_id, snapshot_qty, counted_qty, within_tolerance, counted_at)
			SELECT 900, location_id, item_id, 7, 7, 1, ? FROM counts c JOIN balances b USING (location_id) WHERE c.id = 900`, store.FormatTime(time.Now()))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cands, err = cyclecount.Candidates(ctx, db.Reader(), day)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if c.Location == "A-01-02-A" && (c.Touches != 1 || c.PutawayUnits != 5) {
			t.Errorf("A-01-02-A since its count: %d touches, %d units put away, want the second putaway's 1 and 5", c.Touches, c.PutawayUnits)
		}
	}
	// A ledger read a few ids at a time (as one of more ids than a pass
	// packs is) gathers the same facts.
	for _, chunk := range []int64{1, 2, 3} {
		restore := cyclecount.SetMovementChunk(chunk)
		chunked, err := cyclecount.Candidates(ctx, db.Reader(), day)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(chunked, cands) {
			t.Errorf("read %d movement ids at a time: %+v, want %+v", chunk, chunked, cands)
		}
	}
}

// PlanCounts gathers on a read snapshot, not in the write transaction: while
// it gathers the writer is free (another connection takes the write lock at
// once) and a scan on the floor commits, here an associate starting to count
// the location the plan ranks first. The stored plan then leaves that
// location out (never two counts on a location) and fills its slot with the
// next; a retry returns the stored plan without gathering again.
func TestPlanCountsDoesNotHoldTheWriterWhileGathering(t *testing.T) {
	ctx := context.Background()
	db, svc, now := newClassNode(t)
	lead := inventory.Actor{Badge: "B-LEAD", Role: inventory.Lead}
	assoc := inventory.Actor{Badge: "B-1", Role: inventory.Associate}
	first, err := cyclecount.Preview(ctx, db.Reader(), *now, *now, cyclecount.Capacity{Counts: 1})
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	top := first[0].Location
	probe, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	gathers := 0
	defer cyclecount.SetGatherHook(func() {
		gathers++
		conn, err := probe.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Errorf("the write lock is held while PlanCounts gathers: %v", err)
			return // a write now would wait for the plan, which waits for it
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StartCount(ctx, "start-during-plan", cyclecount.StartInput{LocationScan: top, Actor: assoc}); err != nil {
			t.Errorf("a count started while PlanCounts gathers: %v", err)
		}
	})()
	in := cyclecount.PlanInput{Date: now.Format(time.DateOnly), Counts: 2, Actor: lead}
	plan, err := svc.PlanCounts(ctx, "plan-during-scan", in)
	if err != nil {
		t.Fatal(err)
	}
	if gathers != 1 {
		t.Fatalf("gathered %d times, want 1", gathers)
	}
	if len(plan) != 2 {
		t.Fatalf("planned %d counts, want 2 (the next location takes the slot of the one being counted)", len(plan))
	}
	for _, c := range plan {
		if c.LocationCode == top {
			t.Errorf("planned a second count of %s, being counted since the plan's snapshot", top)
		}
	}
	retry, err := svc.PlanCounts(ctx, "plan-during-scan", in)
	if err != nil {
		t.Fatal(err)
	}
	if gathers != 1 {
		t.Errorf("a retry gathered again (%d gathers)", gathers)
	}
	if len(retry) != len(plan) || retry[0].ID != plan[0].ID || retry[1].ID != plan[1].ID {
		t.Errorf("retry returned %+v, want the stored plan %+v", retry, plan)
	}
}

// A bin's positions (an item in every lot and status) are one candidate per
// item, its units summed: in a bin of a few items, and in one of more items
// than a short list holds.
func TestCandidatesSumEachItemOfABin(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader("code,zone,type\nA-01-01-A,A,storage\nA-01-02-A,A,storage\n"), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	var items strings.Builder
	items.WriteString("sku,unit_cost_cents\n")
	const many = 70
	for i := range many {
		items.WriteString("SB-" + strings.Repeat("0", 3-len(itoa(i))) + itoa(i) + ",100\n")
	}
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(items.String()), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	// A-01-01-A holds every item in two lots, the first in a third; A-01-02-A
	// two items in two lots. Lots interleave, as receipts on different days
	// would leave them.
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for lot, lots := range []string{"L1", "L2", "L3"} {
			_, err := tx.ExecContext(ctx, `INSERT INTO balances (location_id, item_id, lot, status, qty, received_at)
				SELECT l.id, i.id, ?, 'available', 1 + i.id % 5, '2030-01-01T00:00:00.000000000Z' FROM locations l, items i
				WHERE (l.code = 'A-01-01-A' AND (? < 2 OR i.sku = 'SB-000')) OR (l.code = 'A-01-02-A' AND i.sku IN ('SB-001', 'SB-002') AND ? < 2)`,
				lots, lot, lot)
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	if err := inventory.EachRow(ctx, db.Reader(), `SELECT l.code || ' ' || i.sku, SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
		JOIN items i ON i.id = b.item_id GROUP BY 1`, nil, func(r *sql.Rows) error {
		var k string
		var n int
		err := r.Scan(&k, &n)
		want[k] = n
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cands, err := cyclecount.Candidates(ctx, db.Reader(), time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range cands {
		k := c.Location + " " + c.SKU
		if _, dup := got[k]; dup {
			t.Errorf("two candidates of %s", k)
		}
		got[k] = c.RecordedUnits
	}
	if len(want) != many+2 || len(got) != len(want) {
		t.Fatalf("%d candidates, want %d (positions summed: %d)", len(got), len(want), many+2)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d units, want %d", k, got[k], n)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// floorDB is a node database in t's temporary directory with locations
// and items imported from CSV (the importers' formats), closed when t ends.
func floorDB(t *testing.T, locations, items string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader(locations), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(items), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	return db
}
