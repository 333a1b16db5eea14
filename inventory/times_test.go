package inventory_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// TestLedgerTimesAreTimes: a movement's time and a balance's receipt time
// are times in the domain, read from the tables they are stored in; a
// movement stored with a request id before (create_time a formatted
// string, empty on a movement not recorded) still answers a retry with the
// same time; and a stored time that is not one is reported, never dropped.
func TestLedgerTimesAreTimes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	for _, tt := range []struct {
		name, json string
		want       time.Time
	}{
		{"older form", `{"id":7,"kind":"move","create_time":"` + store.FormatTime(at) + `"}`, at},
		{"older form, not recorded", `{"id":0,"create_time":""}`, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m inventory.Movement
			if err := json.Unmarshal([]byte(tt.json), &m); err != nil {
				t.Fatal(err)
			}
			if !m.CreatedAt.Equal(tt.want) || m.CreatedAt.IsZero() != tt.want.IsZero() {
				t.Fatalf("create time %v, want %v", m.CreatedAt, tt.want)
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var again inventory.Movement
			if err := json.Unmarshal(b, &again); err != nil || !again.CreatedAt.Equal(tt.want) {
				t.Fatalf("%s: create time %v, %v; want %v", b, again.CreatedAt, err, tt.want)
			}
			if p := inventory.MovementToProto(m); (p.GetCreateTime() == nil) != tt.want.IsZero() ||
				p.GetCreateTime() != nil && !p.GetCreateTime().AsTime().Equal(tt.want) {
				t.Fatalf("proto create time %v, want %v", p.GetCreateTime(), tt.want)
			}
		})
	}

	t.Run("recorded and read back", func(t *testing.T) {
		svc, db := mustService(t)
		seedLedger(t, db)
		db.Now = func() time.Time { return at }
		ctx := context.Background()
		mv, err := svc.AdjustStock(ctx, "adj-1", inventory.AdjustInput{LocationCode: "A-01-01-A", SKU: "X1", Delta: 5, Reason: "found"})
		if err != nil || !mv.CreatedAt.Equal(at) {
			t.Fatalf("adjustment at %v, %v; want %v", mv.CreatedAt, err, at)
		}
		ms, _, err := svc.ListMovements(ctx, inventory.MovementFilter{SKU: "X1"}, 10, "")
		if err != nil || len(ms) != 1 || !ms[0].CreatedAt.Equal(at) {
			t.Fatalf("ledger = %+v, %v; want one movement at %v", ms, err, at)
		}
		item, err := svc.GetItem(ctx, "X1")
		if err != nil {
			t.Fatal(err)
		}
		stock, err := inventory.AllocatableStockOf(ctx, db.Reader(), []int64{item.ID}, at)
		if err != nil || len(stock[item.ID]) != 1 || !stock[item.ID][0].ReceivedAt.Equal(at) {
			t.Fatalf("allocatable stock = %+v, %v; want one balance received at %v", stock, err, at)
		}
	})

	t.Run("malformed stored time", func(t *testing.T) {
		svc, db := mustService(t)
		seedLedger(t, db)
		ctx := context.Background()
		if _, err := svc.AdjustStock(ctx, "adj-1", inventory.AdjustInput{LocationCode: "A-01-01-A", SKU: "X1", Delta: 5, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(`UPDATE movements SET created_at = 'yesterday'`); err != nil {
				return err
			}
			_, err := tx.Exec(`UPDATE balances SET received_at = 'yesterday'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.ListMovements(ctx, inventory.MovementFilter{SKU: "X1"}, 10, ""); !floorops.IsCode(err, floorops.EINTERNAL) {
			t.Errorf("ListMovements over a malformed time: %v, want internal", err)
		}
		item, err := svc.GetItem(ctx, "X1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inventory.AllocatableStockOf(ctx, db.Reader(), []int64{item.ID}, time.Now()); !floorops.IsCode(err, floorops.EINTERNAL) {
			t.Errorf("AllocatableStockOf over a malformed time: %v, want internal", err)
		}
	})
}
