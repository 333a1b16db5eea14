package cyclecount_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// BenchmarkPostCount times a lead's approval of a count of 5,000 lines (5,000
// items in one location, every one short by 10%): the posting of counted
// minus snapshot, the ledger movements, count history and CountReconciled.
// The target is under 1 s per approval; cpu-s/op is the process's CPU time
// per approval (on a machine shared with other work, ns/op is not the
// approval's own time; it also waits for the disk to sync).
func BenchmarkPostCount(b *testing.B) {
	const lines = 5000
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "node.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var items strings.Builder
	items.WriteString("sku,unit_cost_cents,abc_class\n")
	for i := range lines {
		fmt.Fprintf(&items, "S%05d,1000,A\n", i)
	}
	if rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader("code,zone,type\nA-01-01-B,A,storage\n"), nil); err != nil || len(rep.Errors) > 0 {
		b.Fatal(err, rep.Errors)
	}
	if rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(items.String()), nil); err != nil || len(rep.Errors) > 0 {
		b.Fatal(err, rep.Errors)
	}
	svc := cyclecount.NewService(db, scan.Default(), cyclecount.Hooks{Unbacked: func(context.Context, *store.Tx, inventory.StockKey, int64) error { return nil },
		AssignableBadge: func(context.Context, inventory.Querier, string) error { return nil },
		OnFloor:         func(context.Context, inventory.Querier, time.Time, time.Time) ([]string, error) { return nil, nil }})
	assoc := []inventory.Actor{{Badge: "B-1", Role: inventory.Associate}, {Badge: "B-2", Role: inventory.Associate}}
	lead := inventory.Actor{Badge: "B-LEAD", Role: inventory.Lead}
	counted := make([]cyclecount.CountedLine, lines)
	for i := range counted {
		counted[i] = cyclecount.CountedLine{ItemScan: fmt.Sprintf("S%05d", i), Qty: 90}
	}
	var spent time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		// Every balance back to 100 units, then a count and an agreeing
		// recount that find 90.
		top := int64(10) // the 10 the last approval wrote off
		if n == 0 {
			top = 100
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			loc, err := inventory.LocationByCode(ctx, tx, "A-01-01-B")
			if err != nil {
				return err
			}
			for i := range lines {
				it, err := inventory.ItemBySKU(ctx, tx, fmt.Sprintf("S%05d", i))
				if err != nil {
					return err
				}
				if _, err := inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: loc.ID, Qty: top, Reason: "found"}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		var id int64
		for r, a := range assoc {
			c, err := svc.StartCount(ctx, fmt.Sprintf("start-%d-%d", n, r), cyclecount.StartInput{LocationScan: "A-01-01-B", CountID: id, Actor: a})
			if err != nil {
				b.Fatal(err)
			}
			sub, err := svc.SubmitCount(ctx, fmt.Sprintf("submit-%d-%d", n, r), cyclecount.SubmitInput{CountID: c.ID, Lines: counted, Actor: a})
			if err != nil {
				b.Fatal(err)
			}
			id = sub.RecountID
			if r == 1 && sub.Outcome != cyclecount.OutcomePendingApproval {
				b.Fatalf("recount outcome %s", sub.Outcome)
			}
			if r == 1 {
				id = c.ID
			}
		}
		b.StartTimer()
		cpu0 := processCPU(b)
		c, err := svc.Approve(ctx, fmt.Sprintf("approve-%d", n), cyclecount.DecideInput{CountID: id, Reason: "bench", Actor: lead})
		if err != nil {
			b.Fatal(err)
		}
		spent += processCPU(b) - cpu0
		if len(c.Lines) != lines || c.State != cyclecount.StatePosted {
			b.Fatalf("approved count: %d lines, %s", len(c.Lines), c.State)
		}
	}
	b.ReportMetric(spent.Seconds()/float64(b.N), "cpu-s/op")
}

// processCPU is this process's CPU time so far: the figure a busy machine
// does not inflate.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
