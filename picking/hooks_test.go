package picking_test

import (
	"context"
	"testing"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// TestNewServiceNeedsEveryHook: a picking service without its hand-off of
// a cancelled order's units back to stock is refused when it is built, so
// a node that forgot to wire it fails at start instead of leaving those
// units at the ship lane with no task.
func TestNewServiceNeedsEveryHook(t *testing.T) {
	t.Parallel()
	db := newFixture(t).db
	for _, tt := range []struct {
		name  string
		hooks picking.Hooks
		fails bool
	}{
		{"no ReturnToStock", picking.Hooks{}, true},
		{"no CountRequested", picking.Hooks{ReturnToStock: func(context.Context, *store.Tx, inventory.StagedStock) error { return nil }}, true},
		{"every hook", picking.Hooks{ReturnToStock: func(context.Context, *store.Tx, inventory.StagedStock) error { return nil },
			CountRequested: func(context.Context, *store.Tx, int64, int64) error { return nil }}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if failed := recover() != nil; failed != tt.fails {
					t.Errorf("NewService failed = %t, want %t", failed, tt.fails)
				}
			}()
			picking.NewService(db, scan.Default(), tt.hooks)
		})
	}
}
