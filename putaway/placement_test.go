package putaway_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
)

// TestPlacementIsOneRule: whether a location takes more units (not
// blocked, room within its capacity, no limit when it has none) is one
// rule. The same floor gives the same answer through every way stock is
// placed: the rule itself (inventory.CheckPlacement), an associate's move,
// a putaway confirmation and a putaway suggestion; every refusal is
// FailedPrecondition. Putaway and moves do not read the blocked flag or
// the capacity themselves.
func TestPlacementIsOneRule(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		flags := regexp.MustCompile(`\.(Blocked|Capacity)\b|(?i)\b(blocked|capacity)\s*(=|<>|!=|<|>)`)
		files, err := filepath.Glob("*.go")
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range append(files, filepath.Join("..", "inventory", "stock.go")) {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); flags.MatchString(code) {
					t.Errorf("%s:%d decides placement itself: %s", file, i+1, strings.TrimSpace(code))
				}
			}
		}
	})

	// C-01-01-A already holds 1 unit of SKU-L lot L1; 10 more arrive.
	const target = "C-01-01-A"
	for _, tt := range []struct {
		name     string
		capacity int64
		blocked  bool
		fits     bool
	}{
		{"room", 20, false, true},
		{"exactly full after", 11, false, true},
		{"one unit short", 10, false, false},
		{"no capacity limit", 0, false, true},
		{"blocked", 20, true, false},
	} {
		for _, entry := range []struct {
			name  string
			place func(t *testing.T, f *fixture, task putaway.Task) (bool, error)
		}{
			{"CheckPlacement", func(t *testing.T, f *fixture, task putaway.Task) (bool, error) {
				err := inventory.CheckPlacement(f.ctx, f.db.Reader(), f.location(t, target), 10)
				return err == nil, err
			}},
			{"MoveStock", func(t *testing.T, f *fixture, task putaway.Task) (bool, error) {
				_, err := inventory.NewService(f.db, scan.Default()).MoveStock(f.ctx, "move", inventory.MoveInput{
					FromScan: "STG-01", ToScan: target, SKU: "SKU-L", Lot: "L1", Qty: 10, Actor: lead})
				return err == nil, err
			}},
			{"ConfirmPutaway", func(t *testing.T, f *fixture, task putaway.Task) (bool, error) {
				_, err := f.svc.ConfirmPutaway(f.ctx, "confirm", putaway.ConfirmInput{
					TaskID: task.ID, Scan: target, Qty: 10, Override: "test", Actor: lead})
				return err == nil, err
			}},
			{"SuggestLocation", func(t *testing.T, f *fixture, task putaway.Task) (bool, error) {
				_, sg, err := f.svc.SuggestLocation(f.ctx, task.ID, "")
				return err == nil && sg.LocationCode == target && sg.Qty == 10, err
			}},
		} {
			t.Run(tt.name+"/"+entry.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				f.stock(t, target, "SKU-L", "L1", 1)
				f.relocate(t, target, func(l *inventory.Location) { l.Capacity, l.Blocked = tt.capacity, tt.blocked })
				task := f.stage(t, inventory.StagedStock{Lot: "L1", Qty: 10}, "SKU-L")
				placed, err := entry.place(t, f, task)
				if placed != tt.fits {
					t.Fatalf("placed %v (%v), want %v", placed, err, tt.fits)
				}
				if err != nil && !floorops.IsCode(err, floorops.EPRECONDITION) {
					t.Fatalf("refusal %v, want %s", err, floorops.EPRECONDITION)
				}
				f.checkLedger(t)
			})
		}
	}
}
