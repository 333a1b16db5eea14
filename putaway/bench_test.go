package putaway_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

const (
	benchZones     = 4     // A..D
	benchAisles    = 50    // per zone
	benchBays      = 250   // per aisle; levels A (pick face) to D
	benchItems     = 50000 // SKUs
	benchTasks     = 2000  // open tasks in staging
	benchOccupancy = 0.6   // share of each zone's locations holding stock, front first
)

// seedBench builds a node with 200,000 locations and 50,000 items, 60% of
// each zone full from the walk start (the worst case for finding the
// nearest empty slot), some home pick faces, and open tasks in staging.
func seedBench(b *testing.B) (*putaway.Service, []int64) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "node.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := store.FormatTime(time.Now())
	var tasks []int64
	t0 := time.Now()
	err = db.Write(ctx, func(tx *store.Tx) error {
		exec := func(q string, args ...any) (int64, error) {
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return 0, err
			}
			return res.LastInsertId()
		}
		for i := 1; i <= benchItems; i++ {
			class := "C"
			switch {
			case i%5 == 0:
				class = "A"
			case i%3 == 0:
				class = "B"
			}
			if _, err := exec(`INSERT INTO items (id, sku, abc_class, lot_tracked, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				i, fmt.Sprintf("SKU-%06d", i), class, i%10 == 0, now, now); err != nil {
				return err
			}
		}
		staging, err := exec(`INSERT INTO locations (code, zone, type, walk_seq, capacity, check_code, created_at, updated_at)
			VALUES ('STG-01', 'DOCK', 'staging', 0, 0, ?, ?, ?)`, scan.CheckCode("STG-01"), now, now)
		if err != nil {
			return err
		}
		seq, item := 0, 1
		for z := range benchZones {
			zone := string(rune('A' + z))
			perZone := benchAisles * benchBays * 4
			n := 0
			for aisle := 1; aisle <= benchAisles; aisle++ {
				for bay := 1; bay <= benchBays; bay++ {
					seq += 10
					for _, level := range []string{"A", "B", "C", "D"} {
						typ, capacity := "storage", 480
						if level == "A" {
							typ, capacity = "pickface", 120
						}
						code := fmt.Sprintf("%s-%02d-%03d-%s", zone, aisle, bay, level)
						id, err := exec(`INSERT INTO locations (code, zone, type, walk_seq, capacity, check_code, created_at, updated_at)
							VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, code, zone, typ, seq, capacity, scan.CheckCode(code), now, now)
						if err != nil {
							return err
						}
						n++
						if float64(n) > benchOccupancy*float64(perZone) {
							continue
						}
						lot := ""
						if item%10 == 0 {
							lot = fmt.Sprintf("L%d", rng.IntN(3))
						}
						if _, err := exec(`INSERT INTO balances (location_id, item_id, lot, status, qty, received_at) VALUES (?, ?, ?, 'available', ?, ?)`,
							id, item, lot, 1+rng.IntN(capacity), now); err != nil {
							return err
						}
						if level == "A" && item%7 == 0 {
							if _, err := exec(`INSERT OR IGNORE INTO putaway_home_locations (item_id, location_id, updated_at) VALUES (?, ?, ?)`, item, id, now); err != nil {
								return err
							}
						}
						item = item%benchItems + 1
					}
				}
			}
		}
		for range benchTasks {
			it := 1 + rng.IntN(benchItems)
			lot := ""
			if it%10 == 0 {
				lot = fmt.Sprintf("L%d", rng.IntN(3))
			}
			qty := int64(1 + rng.IntN(200))
			if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindReceive, ItemID: int64(it), Lot: lot, To: staging, Qty: qty}); err != nil {
				return err
			}
			id, err := exec(`INSERT INTO putaway_tasks (item_id, from_location_id, lot, status, qty, state, origin, created_at)
				VALUES (?, ?, ?, 'available', ?, 'open', 'staged', ?)`, it, staging, lot, qty, now)
			if err != nil {
				return err
			}
			tasks = append(tasks, id)
		}
		return nil
	})
	if err != nil {
		db.Close()
		b.Fatal(err)
	}
	// Reopen, as a restarted node would, so the seed (one transaction of
	// some 100 MB) is checkpointed into the database file and synced:
	// SuggestLocation commits its reservation, and timing those commits
	// while the kernel still writes the seed back measures the seed.
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if db, err = store.Open(ctx, path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	b.Logf("seeded 200,000 locations, 50,000 items and %d tasks in %v", len(tasks), time.Since(t0))
	return putaway.NewService(db, scan.Default(), putaway.Hooks{BeingCounted: noCounts}), tasks
}

// BenchmarkSuggestLocation measures SuggestLocation by task id on a
// 200,000-location, 50,000-item node and reports the p99 latency. Each call
// is a task's first suggestion, so each commits a reservation.
func BenchmarkSuggestLocation(b *testing.B) {
	svc, tasks := seedBench(b)
	ctx := context.Background()
	b.Run("200k-locations-50k-items", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		strategies := map[putaway.Strategy]int{}
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			_, sg, err := svc.SuggestLocation(ctx, tasks[i%len(tasks)], "")
			lat = append(lat, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			strategies[sg.Strategy]++
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		if b.N >= len(tasks) {
			b.Logf("N=%d strategies used: %v", b.N, strategies)
		}
	})
}

// BenchmarkStageAtBusyDock stages units (a receipt scan's movement and its
// putaway task, in one transaction) at a dock already holding thousands of
// open tasks of the same stock: what every receipt scan pays when putaway
// falls behind receiving.
func BenchmarkStageAtBusyDock(b *testing.B) {
	f := newFixture(b)
	for range 5000 {
		f.stage(b, inventory.StagedStock{Qty: 1}, "SKU-A")
	}
	b.ResetTimer()
	for range b.N {
		f.stage(b, inventory.StagedStock{Qty: 1}, "SKU-A")
	}
}
