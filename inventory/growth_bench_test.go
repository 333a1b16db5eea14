package inventory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// BenchmarkAdjustAsTheNodeGrows is one durable stock adjustment (one
// inventory.Record in its own write: balance, movement, outbox) on a node
// already holding balances=N rows (1,000 items across N/1,000 locations)
// and as many movements in the ledger. A scan's cost must not grow with
// history: compare ns/op across the sizes, e.g.
// go test ./inventory -run '^$' -bench AdjustAsTheNodeGrows -benchtime 200x
func BenchmarkAdjustAsTheNodeGrows(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("balances=%d", n), func(b *testing.B) {
			_, db := mustService(b)
			seedLedger(b, db)
			ctx := context.Background()
			if err := db.Write(ctx, func(tx *store.Tx) error {
				now := store.FormatTime(tx.Now)
				for _, q := range []string{
					`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000)
					 INSERT INTO items (sku, created_at, updated_at) SELECT printf('G%05d', i), ?1, ?1 FROM k`,
					`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
					 INSERT INTO locations (code, zone, type, walk_seq, check_code, created_at, updated_at)
					 SELECT printf('G-%07d', i), 'G', 'storage', i, 'GG', ?1, ?1 FROM k`,
					`INSERT INTO balances (location_id, item_id, status, qty, received_at)
					 SELECT l.id, i.id, 'available', 10, ?1 FROM locations l, items i WHERE l.zone = 'G' AND i.sku LIKE 'G%'`,
					`INSERT INTO movements (kind, item_id, to_location_id, to_status, qty, reason, created_at)
					 SELECT 'adjust', item_id, location_id, 'available', 10, 'growth', ?1 FROM balances`,
				} {
					if _, err := tx.ExecContext(ctx, q, now, n/1000); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			var it inventory.Item
			var locs []inventory.Location
			if err := db.Write(ctx, func(tx *store.Tx) (err error) {
				it, locs, err = lookup(ctx, tx, "X1", "A-01-01-B")
				if err != nil {
					return err
				}
				_, err = inventory.Record(ctx, tx, inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: locs[0].ID, Qty: 10, Reason: "start"})
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				mv := inventory.Move{Kind: inventory.KindAdjust, ItemID: it.ID, To: locs[0].ID, Qty: 1, Reason: "bench", RequestID: fmt.Sprint("g-", i)}
				if i%2 == 0 {
					mv.From, mv.To = locs[0].ID, 0
				}
				if err := db.Write(ctx, func(tx *store.Tx) error {
					_, err := inventory.Record(ctx, tx, mv)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
