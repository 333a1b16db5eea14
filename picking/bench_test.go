package picking_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// seedBulk fills an empty node with items, locations and balances through
// raw INSERTs in one transaction: a building-sized picture without paying
// for a ledger row per opening balance.
func seedBulk(b *testing.B, db *store.DB, items, locations, balances int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	err := db.Write(ctx, func(tx *store.Tx) error {
		now := store.FormatTime(tx.Now)
		for i := 1; i <= items; i++ {
			tracked := i%4 == 0
			if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, sku, lot_tracked, expiry_tracked, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				i, fmt.Sprintf("SKU-%06d", i), tracked, tracked, now, now); err != nil {
				return err
			}
		}
		for i := 1; i <= locations; i++ {
			typ := "storage"
			if i%3 == 0 {
				typ = "pickface"
			}
			code := fmt.Sprintf("Z-%04d-%02d", i/100, i%100)
			if _, err := tx.ExecContext(ctx, `INSERT INTO locations (id, code, zone, type, walk_seq, capacity, check_code, created_at, updated_at)
				VALUES (?, ?, 'Z', ?, ?, 0, ?, ?, ?)`, i, code, typ, i, scan.CheckCode(code), now, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO locations (code, zone, type, walk_seq, capacity, check_code, created_at, updated_at)
			VALUES ('SHIP-01', 'SHIP', 'ship', 0, 0, ?, ?, ?)`, scan.CheckCode("SHIP-01"), now, now); err != nil {
			return err
		}
		perItem := balances / items
		for i := 1; i <= items; i++ {
			for k := 0; k < perItem; k++ {
				loc := (i*perItem+k*7919)%locations + 1 // spread each item over many bins
				lot, expiry := "", ""
				if i%4 == 0 {
					lot = fmt.Sprintf("L%03d", k)
					expiry = time.Date(2027, time.Month(1+k%12), 1+k%28, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				}
				received := store.FormatTime(tx.Now.AddDate(0, 0, -rng.IntN(90)))
				if _, err := tx.ExecContext(ctx, `INSERT INTO balances (location_id, item_id, lot, expiry, status, lpn, qty, received_at)
					VALUES (?, ?, ?, ?, 'available', '', ?, ?) ON CONFLICT DO NOTHING`, loc, i, lot, expiry, 1000+rng.IntN(1000), received); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReleaseOrders allocates 10,000 order lines (1,000 orders of 10
// lines) against 200,000 balances: the morning's order drop, in one
// ReleaseOrders call (picking.MaxReleaseLines lines).
func BenchmarkReleaseOrders(b *testing.B) {
	const items, locations, balances = 5000, 20000, 200000
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "node.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seedBulk(b, db, items, locations, balances)
	svc := picking.NewService(db, scan.Default(), picking.Hooks{CountRequested: func(context.Context, *store.Tx, int64, int64) error { return nil }, ReturnToStock: func(context.Context, *store.Tx, inventory.StagedStock) error { return nil }})
	rng := rand.New(rand.NewPCG(3, 4))
	shipBy := time.Now().Add(24 * time.Hour)
	batch := 0
	lines := 0
	const perCall = picking.MaxReleaseLines / 10 // orders of 10 lines
	for b.Loop() {
		b.StopTimer()
		var calls [1]picking.ReleaseInput
		for c := range calls {
			calls[c].Actor = lead
			for o := range perCall {
				oi := picking.OrderInput{OrderID: fmt.Sprintf("B%d-%d-%d", batch, c, o), Channel: picking.Amazon, Priority: rng.IntN(10), ShipBy: shipBy}
				for range 10 {
					oi.Lines = append(oi.Lines, picking.LineInput{SKU: fmt.Sprintf("SKU-%06d", 1+rng.IntN(items)), Qty: int64(1 + rng.IntN(5))})
				}
				calls[c].Orders = append(calls[c].Orders, oi)
			}
		}
		batch++
		b.StartTimer()
		for c, in := range calls {
			if _, err := svc.ReleaseOrders(ctx, fmt.Sprintf("bench-%d-%d", batch, c), in); err != nil {
				b.Fatal(err)
			}
		}
		lines += len(calls) * picking.MaxReleaseLines
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkConfirmPick confirms picks of one unit through the service, each
// a durable transaction: verify both scans, release the allocation, record
// the movement, emit events. It reports throughput and the p99 latency an
// associate waits for the handheld's beep.
func BenchmarkConfirmPick(b *testing.B) {
	f := newFixture(b)
	f.db.Now = time.Now
	f.stock(b, "A-01-01-A", "FIFO", "", "", 1_000_000)
	f.release(b, "SO-BENCH", "FIFO", 1_000_000)
	lists, err := f.svc.CreatePickLists(f.ctx, "pl-bench", picking.CreateListsInput{Type: picking.Discrete, Actor: lead})
	if err != nil {
		b.Fatal(err)
	}
	list := lists[0]
	if _, err := f.svc.StartPickList(f.ctx, "st-bench", picking.StartInput{ListID: list.ID, ToteScans: []string{"LPN-B1"}, Actor: lead}); err != nil {
		b.Fatal(err)
	}
	in := picking.ConfirmInput{ListID: list.ID, LineID: list.Lines[0].ID, LocationScan: "A-01-01-A", ItemScan: "4006381333931", Qty: 1, Actor: lead}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := f.svc.ConfirmPick(f.ctx, fmt.Sprintf("pick-%d", i), in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "picks/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
