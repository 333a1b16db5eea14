package inventory_test

import (
	"context"
	"testing"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

func TestRequestCountKeepsOneOpenPerLocation(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, svc)
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
