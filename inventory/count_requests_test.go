package inventory_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

func TestRequestCountKeepsOneOpenPerLocation(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	loc, err := svc.GetLocation(ctx, "A-01-01-A")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, reason := range []string{inventory.ExceptionShortPick, inventory.ExceptionPutawayOverride} {
			id, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: loc.ID, Reason: reason, Ref: "T-1"})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return inventory.RecordException(ctx, tx, inventory.Exception{Kind: inventory.ExceptionShortPick, LocationID: loc.ID, Ref: "T-1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] != ids[1] {
		t.Fatalf("second request opened %d beside %d", ids[1], ids[0])
	}
	pending, err := inventory.CountPending(ctx, db.Reader(), loc.ID)
	if err != nil || !pending {
		t.Fatalf("CountPending = %v, %v; want true", pending, err)
	}
	other, _ := svc.GetLocation(ctx, "A-01-02-A")
	if pending, _ := inventory.CountPending(ctx, db.Reader(), other.ID); pending {
		t.Fatal("a location without a request is pending")
	}
}

// TestHeldForCountIsOneRule: a location waiting for a triggered count keeps
// its stock out of every use until it is counted, by one rule. Every entry
// point that asks "is this bin held for a count" gives the same answer for
// a held bin and a free one, and no code outside count_requests.go reads
// the count_requests table to decide it for itself.
func TestHeldForCountIsOneRule(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		for file, lines := range codeNaming(t, "count_requests") {
			if file != filepath.Join("inventory", "count_requests.go") {
				t.Errorf("%s reads count_requests itself (lines %v): use inventory.HeldForCount or CountPending", file, lines)
			}
		}
	})
	t.Run("every entry point", func(t *testing.T) {
		t.Parallel()
		svc, db := mustService(t)
		seedLedger(t, db)
		ctx := context.Background()
		for _, code := range []string{"A-01-01-A", "A-01-01-B"} {
			if _, err := svc.AdjustStock(ctx, "found-"+code, inventory.AdjustInput{LocationCode: code, SKU: "X1", Delta: 5, Reason: "found"}); err != nil {
				t.Fatal(err)
			}
		}
		held, _ := svc.GetLocation(ctx, "A-01-01-A")
		free, _ := svc.GetLocation(ctx, "A-01-01-B")
		item, _ := svc.GetItem(ctx, "X1")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := inventory.RequestCount(ctx, tx, inventory.CountRequest{LocationID: held.ID, Reason: inventory.ExceptionShortPick})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		stock, err := inventory.AllocatableStockOf(ctx, db.Reader(), []int64{item.ID}, db.Now())
		if err != nil {
			t.Fatal(err)
		}
		allocatable := map[int64]bool{}
		for _, s := range stock[item.ID] {
			allocatable[s.LocationID] = true
		}
		ats, err := inventory.AvailabilityOf(ctx, db.Reader(), item.ID, db.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			loc  inventory.Location
			held bool
		}{{held, true}, {free, false}} {
			pending, err := inventory.CountPending(ctx, db.Reader(), tt.loc.ID)
			if err != nil || pending != tt.held {
				t.Errorf("%s: CountPending = %v (%v), want %v", tt.loc.Code, pending, err, tt.held)
			}
			if allocatable[tt.loc.ID] == tt.held {
				t.Errorf("%s: allocatable stock listed %v, want %v", tt.loc.Code, allocatable[tt.loc.ID], !tt.held)
			}
			err = db.Write(ctx, func(tx *store.Tx) error {
				_, err := inventory.Allocate(ctx, tx, inventory.Allocation{StockKey: inventory.StockKey{ItemID: item.ID, LocationID: tt.loc.ID}, Qty: 1, Ref: "SO-1/" + tt.loc.Code})
				return err
			})
			if got := floorops.IsCode(err, floorops.EPRECONDITION); got != tt.held {
				t.Errorf("%s: allocating: %v, want refused %v", tt.loc.Code, err, tt.held)
			}
		}
		// 5 units sit in each bin; only the free bin's are for sale.
		if ats.OnHand != 5 {
			t.Errorf("sellable units = %d, want 5 (the held bin's left out)", ats.OnHand)
		}
	})
}

// codeNaming returns, for every non-test Go file of the module (relative
// to its root), the lines outside comments that contain word.
func codeNaming(t *testing.T, word string) map[string][]int {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "proto" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(src), "\n") {
			if code, _, _ := strings.Cut(line, "//"); strings.Contains(code, word) {
				out[rel] = append(out[rel], i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
