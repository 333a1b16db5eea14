package inventory

import (
	"context"
	"fmt"

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

// AllocatableStock is one balance a pick may be allocated from: available
// stock in a storage location or pick face that is not blocked and not
// waiting for a triggered count.
type AllocatableStock struct {
	StockKey
	LocationCode string
	LocationType LocationType
	WalkSeq      int64
	// ReceivedAt is when the balance was first stocked, for FIFO rotation.
	ReceivedAt string
	OnHand     int64 // units in the balance
	Allocated  int64 // units of it already reserved for orders
}

// Free is what may still be allocated from the balance.
func (a AllocatableStock) Free() int64 { return max(a.OnHand-a.Allocated, 0) }

// AllocatableStockOf lists an item's balances that picks may be allocated
// from, with what each already has allocated, in walk order. Balances whose
// units are all promised are included (Free 0) so callers see the picture.
func AllocatableStockOf(ctx context.Context, q Querier, itemID int64) ([]AllocatableStock, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.location_id, l.code, l.type, l.walk_seq, b.lot, b.expiry, b.lpn, b.qty, b.received_at,
			COALESCE((SELECT SUM(a.qty) FROM allocations a WHERE a.item_id = b.item_id AND a.location_id = b.location_id
				AND a.lot = b.lot AND a.expiry = b.expiry AND a.lpn = b.lpn), 0)
		FROM balances b JOIN locations l ON l.id = b.location_id
		WHERE b.item_id = ? AND b.status = 'available' AND b.qty > 0
			AND l.type IN ('storage', 'pickface') AND l.blocked = 0
			AND NOT EXISTS (SELECT 1 FROM count_requests c WHERE c.location_id = b.location_id AND c.status = 'open')
		ORDER BY l.walk_seq, l.code, b.expiry, b.lot, b.lpn`, itemID)
	if err != nil {
		return nil, fmt.Errorf("allocatable stock: %w", err)
	}
	defer rows.Close()
	var out []AllocatableStock
	for rows.Next() {
		a := AllocatableStock{StockKey: StockKey{ItemID: itemID}}
		if err := rows.Scan(&a.LocationID, &a.LocationCode, &a.LocationType, &a.WalkSeq, &a.Lot, &a.Expiry, &a.LPN,
			&a.OnHand, &a.ReceivedAt, &a.Allocated); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
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

// Allocate reserves a.Qty units of a balance inside tx and returns the
// allocation id. It refuses with EPRECONDITION when the balance has fewer
// unreserved units, so no order is ever promised stock that is not there.
// Callers emit AvailabilityChanged (EmitAvailability) once per item after
// their allocations, since ATS changed.
func Allocate(ctx context.Context, tx *store.Tx, a Allocation) (int64, error) {
	if a.Qty <= 0 {
		return 0, floorops.Errorf(floorops.EINTERNAL, "allocate %d units", a.Qty)
	}
	free, err := FreeToAllocate(ctx, tx, a.StockKey)
	if err != nil {
		return 0, err
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
