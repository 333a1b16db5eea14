package cyclecount_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/store"
)

// BenchmarkPlanFromDatabase times a day's plan made from the node's
// tables at the scale of a large building: 200,000 locations (storage and
// pick faces in 20 zones) holding 50,000 items, each location with a
// balance, a putaway and picks over the last 30 days (600,000 movements),
// 50,000 past counts and 2,000 recent exceptions, seeded with bulk SQL in
// one transaction. Each iteration gathers every candidate and plans 2,000
// counts (Preview). The target is under 2 s; cpu-s/op is the CPU time
// spent (on a machine shared with other work, ns/op is not the plan's own
// time); peak-heap-MB reports the
// largest heap seen while planning, which grows with the locations, not
// with the ledger's history (aggregates are read from SQL, row by row).
func BenchmarkPlanFromDatabase(b *testing.B) {
	const locations, items = 200_000, 50_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "node.db")
	if keep := os.Getenv("FLOOROPS_BENCH_DB"); keep != "" {
		path = keep // keep the seeded node to inspect its query plans
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	// day(n) is a stored time n%30 days before now.
	const day = `strftime('%Y-%m-%dT%H:%M:%S', '2030-06-01 06:00:00', '-' || ((N) % 30) || ' days') || '.000000000Z'`
	at := func(expr string) string { return strings.ReplaceAll(day, "N", expr) }
	itoa := strconv.Itoa
	seed := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + itoa(items) + `)
		INSERT INTO items (id, sku, unit_cost_cents, abc_class, created_at, updated_at)
		SELECT i, 'SKU-' || i, 100 + (i * 37) % 40000, CASE WHEN i % 10 = 0 THEN 'A' WHEN i % 3 = 0 THEN 'B' ELSE 'C' END, '2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z' FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + itoa(locations) + `)
		INSERT INTO locations (id, code, zone, type, walk_seq, check_code, created_at, updated_at)
		SELECT i, 'L-' || i, 'Z' || (i % 20), CASE WHEN i % 4 = 0 THEN 'pickface' ELSE 'storage' END, i / 20, printf('%02d', i % 100), '2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z' FROM n`,
		`INSERT INTO locations (id, code, zone, type, check_code, created_at, updated_at) VALUES (` + itoa(locations+1) + `, 'SHIP-1', 'S', 'ship', '00', '2030-01-01T00:00:00.000000000Z', '2030-01-01T00:00:00.000000000Z')`,
		`INSERT INTO balances (location_id, item_id, status, qty, received_at)
		SELECT id, 1 + (id % ` + itoa(items) + `), 'available', 1 + id % 200, ` + at("id") + ` FROM locations WHERE id <= ` + itoa(locations),
		`INSERT INTO movements (kind, item_id, to_location_id, qty, created_at)
		SELECT 'putaway', item_id, location_id, qty, ` + at("location_id") + ` FROM balances`,
		`INSERT INTO movements (kind, item_id, from_location_id, to_location_id, qty, created_at)
		SELECT 'pick', item_id, location_id, ` + itoa(locations+1) + `, 1, ` + at("location_id + 7") + ` FROM balances`,
		`INSERT INTO movements (kind, item_id, from_location_id, to_location_id, qty, created_at)
		SELECT 'pick', item_id, location_id, ` + itoa(locations+1) + `, 2, ` + at("location_id + 13") + ` FROM balances`,
		`INSERT INTO counts (id, location_id, state, created_at) SELECT id, id, 'posted', '2030-01-01T00:00:00.000000000Z' FROM locations WHERE id % 4 = 1`,
		`INSERT INTO count_history (count_id, location_id, item_id, snapshot_qty, counted_qty, within_tolerance, counted_at)
		SELECT c.id, c.location_id, b.item_id, b.qty, b.qty - (c.id % 3 = 0), c.id % 3 <> 0, ` + at("c.id + 3") + `
		FROM counts c JOIN balances b ON b.location_id = c.location_id`,
		`INSERT INTO exceptions (kind, location_id, item_id, created_at)
		SELECT CASE WHEN id % 2 = 0 THEN 'short_pick' ELSE 'putaway_override' END, id, 1 + id % ` + itoa(items) + `, '2030-05-30T10:00:00.000000000Z'
		FROM locations WHERE id % 100 = 7`,
		`ANALYZE`,
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, q := range seed {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := uint64(0)
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while planning
		defer close(sampled)
		var m runtime.MemStats
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	cpu := func() time.Duration { // this process's CPU time: the figure a busy machine does not inflate
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	cpu0 := cpu()
	var tasks []cyclecount.Task
	for range b.N {
		tasks, err = cyclecount.Preview(ctx, db.Reader(), now, now, cyclecount.Capacity{Counts: 2000})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpu()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	close(stop)
	<-sampled
	if len(tasks) != 2000 {
		b.Fatalf("planned %d counts, want 2000", len(tasks))
	}
	b.ReportMetric(float64(peak-min(peak, before.HeapAlloc))/(1<<20), "peak-heap-MB")
}
