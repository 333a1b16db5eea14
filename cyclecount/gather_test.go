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

// A putaway into a bin makes the bins either side of it in the zone's walk
// order suspect (a unit meant for one is most often put in its neighbour),
// and the node's candidates carry that tally to the risk score.
func TestCandidatesCountNeighbouringPutaways(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	locs := "code,zone,type,walk_sequence\nSTG-01,D,staging,1\nA-01-01-A,A,pickface,1\nA-01-02-A,A,pickface,2\nA-01-03-A,A,pickface,3\nA-01-04-A,A,pickface,4\n"
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader(locs), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader("sku,unit_cost_cents\nNB-1,100\n"), nil); err != nil || len(rep.Errors) > 0 {
		t.Fatal(err, rep.Errors)
	}
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
		_, err = inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindPutaway, ItemID: it.ID, From: id["STG-01"], To: id["A-01-02-A"], Qty: 2})
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
		got[c.Location] = c.NeighbourPutaways
	}
	want := map[string]int{"A-01-01-A": 1, "A-01-02-A": 0, "A-01-03-A": 1, "A-01-04-A": 0}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%s: %d neighbouring putaways, want %d (all: %v)", code, got[code], n, got)
		}
	}
}
