package picking

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/floorops/floorops/store"
)

// fillBackorders allocates stock that has become available since release
// (received and put away, found by a count) to the backordered lines of
// released orders not yet on a pick list, most urgent first: before a lead
// groups orders into lists, so a backorder is picked as soon as there is
// stock for it. Only orders matching in (its order ids, else its channel)
// are filled. Each order that gained stock is reported again
// (OrderAllocated, with what is still backordered). A listed or picked
// order's backorder stays with central, which decides whether to wait,
// ship short or cancel.
func fillBackorders(ctx context.Context, tx *store.Tx, in CreateListsInput) error {
	q := `SELECT l.id, l.order_id, o.order_ref, l.line_number, l.item_id, i.expiry_tracked, l.backordered_qty
		FROM pick_order_lines l JOIN pick_orders o ON o.id = l.order_id JOIN items i ON i.id = l.item_id
		WHERE l.backordered_qty > 0 AND o.state = 'released'`
	var args []any
	if len(in.OrderIDs) > 0 {
		q += ` AND o.order_ref IN (SELECT value FROM json_each(?))`
		ids, err := json.Marshal(in.OrderIDs)
		if err != nil {
			return err
		}
		args = append(args, string(ids))
	} else if in.Channel != "" {
		q += ` AND o.channel = ?`
		args = append(args, string(in.Channel))
	}
	q += ` ORDER BY o.priority DESC, o.ship_by, o.id, l.line_number`
	type backorder struct {
		ref   lineRef
		order string
		qty   int64
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read backorders: %w", err)
	}
	var due []backorder
	for rows.Next() {
		var b backorder
		var line int
		if err := rows.Scan(&b.ref.lineID, &b.ref.orderID, &b.order, &line, &b.ref.itemID, &b.ref.expiryTracked, &b.qty); err != nil {
			rows.Close()
			return err
		}
		b.ref.ref = fmt.Sprintf("%s/%d", b.order, line)
		due = append(due, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	alloc := newAllocator(tx)
	var filled []string // orders that gained stock, most urgent first
	for _, b := range due {
		n, _, err := alloc.allocate(ctx, b.ref, b.qty, 0)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pick_order_lines SET backordered_qty = backordered_qty - ? WHERE id = ?`, n, b.ref.lineID); err != nil {
			return fmt.Errorf("fill backorder %s: %w", b.ref.ref, err)
		}
		if len(filled) == 0 || filled[len(filled)-1] != b.order {
			filled = append(filled, b.order)
		}
	}
	for _, ref := range filled {
		o, err := loadOrder(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := emitAllocated(ctx, tx, o); err != nil {
			return err
		}
	}
	return alloc.emitAvailability(ctx)
}
