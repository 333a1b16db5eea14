package picking

import (
	"context"
	"fmt"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Unbacked takes qty allocated units of balance k off the orders promised
// them, inside tx: a cycle count found fewer units there than were
// allocated, so those picks would be shorts. Newest pick tasks first, each
// gives up its units (the task closes short when nothing is left of it);
// the units are allocated elsewhere as new tasks on the same pick list, or
// backordered and reported. The node wires it as cycle counting's
// Unbacked hook.
func Unbacked(ctx context.Context, tx *store.Tx, k inventory.StockKey, qty int64) error {
	type open struct {
		id, orderID, lineID, listID, allocID, remaining int64
		orderRef, sku                                   string
		lineNumber                                      int
		fefo                                            bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.order_id, t.line_id, COALESCE(t.list_id, 0), t.allocation_id,
			t.qty - t.picked_qty - t.short_qty, o.order_ref, i.sku, ol.line_number, i.expiry_tracked
		FROM pick_tasks t JOIN pick_orders o ON o.id = t.order_id JOIN pick_order_lines ol ON ol.id = t.line_id
		JOIN items i ON i.id = t.item_id
		WHERE t.item_id = ? AND t.location_id = ? AND t.lot = ? AND t.expiry = ? AND t.lpn = ?
			AND t.state = 'open' AND t.allocation_id IS NOT NULL
		ORDER BY t.id DESC`, k.ItemID, k.LocationID, k.Lot, k.Expiry, k.LPN)
	if err != nil {
		return fmt.Errorf("allocated pick tasks: %w", err)
	}
	var tasks []open
	for rows.Next() {
		var t open
		if err := rows.Scan(&t.id, &t.orderID, &t.lineID, &t.listID, &t.allocID, &t.remaining, &t.orderRef, &t.sku, &t.lineNumber, &t.fefo); err != nil {
			rows.Close()
			return err
		}
		tasks = append(tasks, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	alloc := newAllocator(tx)
	now := store.FormatTime(tx.Now)
	for _, t := range tasks {
		if qty <= 0 {
			break
		}
		n := min(qty, t.remaining)
		if n <= 0 {
			continue
		}
		qty -= n
		if err := inventory.ReleaseAllocation(ctx, tx, t.allocID, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pick_tasks SET short_qty = short_qty + ?,
				state = CASE WHEN qty - picked_qty - short_qty - ? = 0 THEN 'short' ELSE state END,
				allocation_id = CASE WHEN qty - picked_qty - short_qty - ? = 0 THEN NULL ELSE allocation_id END,
				updated_at = ? WHERE id = ?`, n, n, n, now, t.id); err != nil {
			return fmt.Errorf("unback pick task: %w", err)
		}
		got, _, err := alloc.allocate(ctx, lineRef{orderID: t.orderID, lineID: t.lineID, itemID: k.ItemID, expiryTracked: t.fefo,
			ref: fmt.Sprintf("%s/%d", t.orderRef, t.lineNumber)}, n, t.listID)
		if err != nil {
			return err
		}
		if back := n - got; back > 0 {
			var total int64
			if err := tx.QueryRowContext(ctx, `UPDATE pick_order_lines SET backordered_qty = backordered_qty + ? WHERE id = ? RETURNING backordered_qty`,
				back, t.lineID).Scan(&total); err != nil {
				return fmt.Errorf("backorder line: %w", err)
			}
			line := OrderLine{LineNumber: t.lineNumber, SKU: t.sku, Backordered: total}
			if err := emitBackordered(ctx, tx, t.orderRef, "cycle_count", []OrderLine{line}, []int64{back}); err != nil {
				return err
			}
		}
	}
	return inventory.EmitAvailability(ctx, tx, k.ItemID)
}
