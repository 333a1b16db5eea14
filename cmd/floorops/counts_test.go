package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// TestCountsPlanPrintsTheRankedPlan: `floorops counts plan` prints the
// day's plan from the database, a bin waiting for a short pick's count
// first, every task with its reasons, and changes nothing.
func TestCountsPlanPrintsTheRankedPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustMigrate(t)
	locs := mustWriteFile(t, dir, "locations.csv", "code,zone,type\nA-01-01-A,A,pickface\nA-01-02-A,A,pickface\nA-01-03-A,A,pickface\n")
	items := mustWriteFile(t, dir, "items.csv", "sku,unit_cost_cents\nX1,24000\nX2,100\n")
	for _, imp := range [][]string{{"locations", locs}, {"items", items}} {
		if _, _, err := runCLI(t, "import", imp[0], "--db", db, imp[1]); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(st, scan.Default())
	for i, code := range []string{"A-01-01-A", "A-01-02-A", "A-01-03-A"} {
		if _, err := inv.AdjustStock(ctx, "found-"+code, inventory.AdjustInput{LocationCode: code, SKU: []string{"X1", "X2", "X2"}[i], Delta: 10, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
	}
	held, _ := inv.GetLocation(ctx, "A-01-03-A")
	if err := st.Write(ctx, func(tx *store.Tx) error {
		_, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: held.ID, Reason: inventory.ExceptionShortPick})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, err := runCLI(t, "counts", "plan", "--db", db, "--capacity", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "A-01-03-A") || !strings.Contains(lines[2], "short pick") ||
		!strings.Contains(lines[3], "A-01-01-A") || !strings.Contains(lines[3], "unit cost $240") {
		t.Fatalf("counts plan printed:\n%s", out)
	}
	if _, _, err := runCLI(t, "counts", "plan", "--db", db, "--capacity", "0"); !errors.Is(err, errUsage) {
		t.Fatalf("no capacity: %v, want a usage error", err)
	}
	if _, _, err := runCLI(t, "counts", "plan", "--db", filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("a missing database was planned")
	}
}

// TestCountsPlanMatchesPlanCounts: `floorops counts plan` prints the day
// as PlanCounts would leave it: a count a lead added for the day first
// (kept), taking its share of the capacity, and the riskiest other
// location after it, never a second count of the added location; a
// capacity that is not a number is a usage error.
func TestCountsPlanMatchesPlanCounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustMigrate(t)
	locs := mustWriteFile(t, dir, "locations.csv", "code,zone,type\nA-01-01-A,A,pickface\nA-01-02-A,A,pickface\nA-01-03-A,A,pickface\n")
	items := mustWriteFile(t, dir, "items.csv", "sku,unit_cost_cents\nX1,24000\nX2,100\n")
	for _, imp := range [][]string{{"locations", locs}, {"items", items}} {
		if _, _, err := runCLI(t, "import", imp[0], "--db", db, imp[1]); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(st, scan.Default())
	for i, code := range []string{"A-01-01-A", "A-01-02-A", "A-01-03-A"} {
		if _, err := inv.AdjustStock(ctx, "found-"+code, inventory.AdjustInput{LocationCode: code, SKU: []string{"X1", "X2", "X2"}[i], Delta: 10, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
	}
	// Adding a count posts nothing, so no allocation is ever left unbacked.
	cc := cyclecount.NewService(st, scan.Default(), cyclecount.Hooks{
		Unbacked:        func(context.Context, *store.Tx, inventory.StockKey, int64) error { return nil },
		AssignableBadge: func(context.Context, inventory.Querier, string) error { return nil },
		OnFloor:         func(context.Context, inventory.Querier, time.Time, time.Time) ([]string, error) { return nil, nil }})
	if _, err := cc.AddTask(ctx, "add", cyclecount.AddInput{LocationCode: "A-01-01-A", Reason: "looks low",
		Actor: inventory.Actor{Badge: "B-LEAD", Role: inventory.Lead}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, err := runCLI(t, "counts", "plan", "--db", db, "--capacity", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(strings.Join(strings.Fields(lines[2]), " "), "1 A-01-01-A added (kept)") ||
		strings.Count(out, "A-01-01-A") != 1 {
		t.Fatalf("counts plan with A-01-01-A added for the day printed:\n%s", out)
	}
	for _, bad := range []string{"NaN", "+Inf", "-1"} {
		if _, _, err := runCLI(t, "counts", "plan", "--db", db, "--minutes", bad); !errors.Is(err, errUsage) {
			t.Fatalf("--minutes %s: %v, want a usage error", bad, err)
		}
	}
}
