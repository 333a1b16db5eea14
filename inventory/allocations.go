package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// StockKey names one balance that can be allocated: an item, lot and expiry
// on one license plate (or loose) at one location. Allocations are always of
// available-status stock.
type StockKey struct {
	ItemID     int64  `json:"item_id"`
	LocationID int64  `json:"location_id"`
	Lot        string `json:"lot"`
	Expiry     string `json:"expiry"`
	LPN        string `json:"lpn"`
}

// Allocation reserves units of one balance for an order line, so channels
// stop selling them (ATS drops) while the units still sit in the bin. Ref is
// the order line it is for.
type Allocation struct {
	ID int64
	StockKey
	Qty int64
	Ref string
}

// AllocatableStock is one balance a pick may be allocated from: sellable
// stock (see sellableStock), the same stock channels are told they may
// sell.
type AllocatableStock struct {
	StockKey
	LocationCode string
	LocationType LocationType
	WalkSeq      int64
	// ReceivedAt is when the balance was first stocked, for FIFO rotation.
	ReceivedAt time.Time
	OnHand     int64 // units in the balance
	Allocated  int64 // units of it already reserved for orders
}

// Free is what may still be allocated from the balance.
func (a AllocatableStock) Free() int64 { return max(a.OnHand-a.Allocated, 0) }

// AllocatableStockOf lists the balances of each item that picks may be
// allocated from, with what each already has allocated, keyed by item and
// in walk order. Balances whose units are all promised are included (Free
// 0) so callers see the picture. It reads all the items' stock in two
// queries, so allocating a morning's orders does not cost a query per SKU.
//
// Lots past their expiry on the day of asOf are never allocated.
func AllocatableStockOf(ctx context.Context, q Querier, itemIDs []int64, asOf time.Time) (map[int64][]AllocatableStock, error) {
	out := make(map[int64][]AllocatableStock, len(itemIDs))
	if len(itemIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(itemIDs)
	if err != nil {
		return nil, err
	}
	allocated := map[StockKey]int64{}
	if err := EachRow(ctx, q, `SELECT a.item_id, a.location_id, a.lot, a.expiry, a.lpn, SUM(a.qty)
		FROM json_each(?) j CROSS JOIN allocations a ON a.item_id = j.value GROUP BY 1, 2, 3, 4, 5`, []any{string(ids)}, func(rows *sql.Rows) error {
		var k StockKey
		var n int64
		err := rows.Scan(&k.ItemID, &k.LocationID, &k.Lot, &k.Expiry, &k.LPN, &n)
		allocated[k] = n
		return err
	}); err != nil {
		return nil, fmt.Errorf("allocatable stock: allocations: %w", err)
	}
	if err := EachRow(ctx, q, `SELECT b.item_id, b.location_id, l.code, l.type, l.walk_seq, b.lot, b.expiry, b.lpn, b.qty, b.received_at
		FROM json_each(?) j CROSS JOIN balances b ON b.item_id = j.value AND b.status = 'available' JOIN locations l ON l.id = b.location_id
		WHERE b.qty > 0 AND `+sellableStock,
		[]any{string(ids), asOf.UTC().Format(time.DateOnly)}, func(rows *sql.Rows) error {
			var a AllocatableStock
			var received string
			if err := rows.Scan(&a.ItemID, &a.LocationID, &a.LocationCode, &a.LocationType, &a.WalkSeq, &a.Lot, &a.Expiry, &a.LPN,
				&a.OnHand, &received); err != nil {
				return err
			}
			var err error
			if a.ReceivedAt, err = store.ParseTime(received); err != nil {
				return err
			}
			a.Allocated = allocated[a.StockKey]
			out[a.ItemID] = append(out[a.ItemID], a)
			return nil
		}); err != nil {
		return nil, fmt.Errorf("allocatable stock: balances: %w", err)
	}
	for _, bs := range out {
		sort.Slice(bs, func(i, j int) bool {
			a, b := bs[i], bs[j]
			if a.WalkSeq != b.WalkSeq {
				return a.WalkSeq < b.WalkSeq
			}
			if a.LocationCode != b.LocationCode {
				return a.LocationCode < b.LocationCode
			}
			return a.Expiry+"|"+a.Lot+"|"+a.LPN < b.Expiry+"|"+b.Lot+"|"+b.LPN
		})
	}
	return out, nil
}

// EachRow runs query with args and calls fn for each row, in order: a
// reader's loop over a result set, with the rows closed and their error
// checked in one place.
func EachRow(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FreeToAllocate is what may still be allocated from one balance: its
// available units minus what is already allocated from it. It ignores
// whether the location is blocked or waiting for a count.
func FreeToAllocate(ctx context.Context, q Querier, k StockKey) (int64, error) {
	var free int64
	err := q.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT qty FROM balances WHERE location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = 'available' AND lpn = ?), 0)
		- COALESCE((SELECT SUM(qty) FROM allocations WHERE item_id = ? AND location_id = ? AND lot = ? AND expiry = ? AND lpn = ?), 0)`,
		k.LocationID, k.ItemID, k.Lot, k.Expiry, k.LPN, k.ItemID, k.LocationID, k.Lot, k.Expiry, k.LPN).Scan(&free)
	if err != nil {
		return 0, fmt.Errorf("free to allocate: %w", err)
	}
	return free, nil
}

// AllocatedSQL is the units of one balance promised to orders, for the
// balance whose item, location, lot, expiry and LPN are the given column
// expressions of the enclosing query. Only available-status stock is ever
// allocated. Whoever moves stock away from a location on a task (putaway)
// leaves these units there: a pick is directed to them.
func AllocatedSQL(item, location, lot, expiry, lpn string) string {
	return `COALESCE((SELECT SUM(a.qty) FROM allocations a WHERE a.item_id = ` + item + ` AND a.location_id = ` + location +
		` AND a.lot = ` + lot + ` AND a.expiry = ` + expiry + ` AND a.lpn = ` + lpn + `), 0)`
}

// Allocated is the units of balance k promised to orders (see
// AllocatedSQL).
func Allocated(ctx context.Context, q Querier, k StockKey) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT `+AllocatedSQL("?", "?", "?", "?", "?"),
		k.ItemID, k.LocationID, k.Lot, k.Expiry, k.LPN).Scan(&n); err != nil {
		return 0, fmt.Errorf("allocated units: %w", err)
	}
	return n, nil
}

// Allocate reserves a.Qty units of a balance inside tx and returns the
// allocation id. It refuses with EPRECONDITION when the balance has fewer
// unreserved sellable units (blocked, counting and expired stock is not
// sellable), so no order is ever promised stock that is not there. The
// check is per balance; allocations stay backed because nothing else takes
// allocated units away (MoveStock and AdjustStock refuse to, a short pick
// releases them first). Count posting must keep that rule.
// Callers emit AvailabilityChanged (EmitAvailability) once per item after
// their allocations, since ATS changed.
func Allocate(ctx context.Context, tx *store.Tx, a Allocation) (int64, error) {
	if a.Qty <= 0 {
		return 0, floorops.Errorf(floorops.EINTERNAL, "allocate %d units", a.Qty)
	}
	// Only sellable stock (see sellableStock) may be promised.
	var free int64
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT b.qty FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.location_id = ? AND b.item_id = ? AND b.lot = ? AND b.expiry = ? AND b.lpn = ? AND `+sellableStock+`), 0)
		- COALESCE((SELECT SUM(qty) FROM allocations WHERE item_id = ? AND location_id = ? AND lot = ? AND expiry = ? AND lpn = ?), 0)`,
		a.LocationID, a.ItemID, a.Lot, a.Expiry, a.LPN, tx.Now.Format(time.DateOnly),
		a.ItemID, a.LocationID, a.Lot, a.Expiry, a.LPN).Scan(&free)
	if err != nil {
		return 0, fmt.Errorf("allocate: %w", err)
	}
	if free < a.Qty {
		return 0, floorops.Errorf(floorops.EPRECONDITION, "only %d units are free to allocate, not %d", max(free, 0), a.Qty)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO allocations (item_id, location_id, lot, expiry, lpn, qty, ref, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ItemID, a.LocationID, a.Lot, a.Expiry, a.LPN, a.Qty, a.Ref, store.FormatTime(tx.Now))
	if err != nil {
		return 0, fmt.Errorf("allocate: %w", err)
	}
	return res.LastInsertId()
}

// ReleaseAllocation gives back qty units of allocation id inside tx (they
// were picked, found missing, or their order was cancelled), deleting the
// allocation when nothing is left of it. Callers emit AvailabilityChanged.
func ReleaseAllocation(ctx context.Context, tx *store.Tx, id, qty int64) error {
	if qty <= 0 {
		return nil
	}
	var held int64
	if err := tx.QueryRowContext(ctx, `SELECT qty FROM allocations WHERE id = ?`, id).Scan(&held); err != nil {
		return fmt.Errorf("read allocation %d: %w", id, err)
	}
	var err error
	switch {
	case qty > held:
		return floorops.Errorf(floorops.EINTERNAL, "release %d units of allocation %d holding %d", qty, id, held)
	case qty == held:
		_, err = tx.ExecContext(ctx, `DELETE FROM allocations WHERE id = ?`, id)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE allocations SET qty = qty - ? WHERE id = ?`, qty, id)
	}
	if err != nil {
		return fmt.Errorf("release allocation %d: %w", id, err)
	}
	return nil
}
