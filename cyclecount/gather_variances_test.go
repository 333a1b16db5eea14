package cyclecount_test

import (
	"context"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// A count that finds a difference makes the bins either side of it in the
// zone's walk order suspect (misplacement is net zero across a pair of
// neighbours), and the node's candidates carry it: how many, how many
// shortages, how many of the candidate's own item, and the most telling
// one. A neighbour counted after the difference has already answered it.
func TestCandidatesCarryNeighbourVariances(t *testing.T) {
	ctx := context.Background()
	db := floorDB(t, "code,zone,type,walk_sequence\nA-01-01-A,A,pickface,1\nA-01-02-A,A,pickface,2\nA-01-03-A,A,pickface,3\nA-01-04-A,A,pickface,4\nA-01-05-A,A,pickface,5\n", "sku,unit_cost_cents\nNV-1,100\nNV-2,100\n")
	now := time.Now().UTC()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		item := map[string]int64{}
		for _, sku := range []string{"NV-1", "NV-2"} {
			it, err := inventory.ItemBySKU(ctx, tx, sku)
			if err != nil {
				return err
			}
			item[sku] = it.ID
		}
		loc := map[string]int64{}
		for i, code := range []string{"A-01-01-A", "A-01-02-A", "A-01-03-A", "A-01-04-A", "A-01-05-A"} {
			l, err := inventory.LocationByCode(ctx, tx, code)
			if err != nil {
				return err
			}
			loc[code] = l.ID
			sku := "NV-1"
			if i == 4 {
				sku = "NV-2"
			}
			if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: item[sku], To: l.ID, Qty: 10, Reason: "found"}); err != nil {
				return err
			}
		}
		// A-01-02 counted 3 NV-1 short two days ago; A-01-04 counted 2 NV-1
		// over yesterday; A-01-03 was counted clean today, after both.
		for _, h := range []struct {
			code              string
			snapshot, counted int
			at                time.Time
		}{
			{"A-01-02-A", 10, 7, now.Add(-48 * time.Hour)},
			{"A-01-04-A", 10, 12, now.Add(-24 * time.Hour)},
			{"A-01-03-A", 10, 10, now.Add(-time.Hour)},
		} {
			res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at) VALUES (?, 'posted', ?)`, loc[h.code], store.FormatTime(h.at))
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO count_history (count_id, location_id, item_id, snapshot_qty, counted_qty, within_tolerance, counted_at)
				VALUES (?, ?, ?, ?, ?, 1, ?)`, id, loc[h.code], item["NV-1"], h.snapshot, h.counted, store.FormatTime(h.at)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cands, err := cyclecount.Candidates(ctx, db.Reader(), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	type facts struct {
		any, short, item int
		from             string
		units            int
	}
	got := map[string]facts{}
	for _, c := range cands {
		got[c.Location] = facts{c.NeighbourVariances, c.NeighbourShortages, c.NeighbourItemVariances, c.NeighbourVariance.Location, c.NeighbourVariance.Units}
	}
	want := map[string]facts{
		"A-01-01-A": {1, 1, 1, "A-01-02-A", -3},
		"A-01-02-A": {},
		"A-01-03-A": {},                        // counted after both its neighbours' differences
		"A-01-04-A": {},                        // its neighbours found nothing
		"A-01-05-A": {1, 0, 0, "A-01-04-A", 2}, // holds NV-2: the difference is of another item
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("%s: %+v, want %+v", code, got[code], w)
		}
	}
	for _, c := range cands {
		if c.Location != "A-01-01-A" {
			continue
		}
		s := cyclecount.Score(c, cyclecount.DefaultPolicy())
		named := false
		for _, f := range s.Factors {
			named = named || f.Kind == cyclecount.FactorNeighbourVariances
		}
		if !named {
			t.Errorf("A-01-01-A's factors %v do not name the neighbour's difference", s.Factors)
		}
	}
}

// A difference found where no plan counts (a staging lane between two
// bins in the walk) is heard by the bins either side of it all the same.
func TestCandidatesHearOfADifferenceCountedInStaging(t *testing.T) {
	ctx := context.Background()
	db := floorDB(t, "code,zone,type,walk_sequence\nA-01-01-A,A,pickface,1\nSTG-01,A,staging,2\nA-01-03-A,A,pickface,3\n", "sku,unit_cost_cents\nST-1,100\n")
	now := time.Now().UTC()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		it, err := inventory.ItemBySKU(ctx, tx, "ST-1")
		if err != nil {
			return err
		}
		for _, code := range []string{"A-01-01-A", "STG-01", "A-01-03-A"} {
			l, err := inventory.LocationByCode(ctx, tx, code)
			if err != nil {
				return err
			}
			if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: l.ID, Qty: 10, Reason: "found"}); err != nil {
				return err
			}
			if code != "STG-01" {
				continue
			}
			at := store.FormatTime(now.Add(-time.Hour))
			res, err := tx.ExecContext(ctx, `INSERT INTO counts (location_id, state, created_at) VALUES (?, 'posted', ?)`, l.ID, at)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO count_history (count_id, location_id, item_id, snapshot_qty, counted_qty, within_tolerance, counted_at)
				VALUES (?, ?, ?, 10, 6, 0, ?)`, id, l.ID, it.ID, at); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cands, err := cyclecount.Candidates(ctx, db.Reader(), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	heard := map[string]string{}
	for _, c := range cands {
		if c.NeighbourVariances == 1 && c.NeighbourItemVariances == 1 && c.NeighbourVariance.Units == -4 {
			heard[c.Location] = c.NeighbourVariance.Location
		}
	}
	if len(heard) != 2 || heard["A-01-01-A"] != "STG-01" || heard["A-01-03-A"] != "STG-01" {
		t.Fatalf("bins that heard of STG-01's difference: %v, want both neighbours", heard)
	}
}
