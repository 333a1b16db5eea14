package picking

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// handOffReturns hands the open return tasks of the given orders to
// Hooks.ReturnToStock once their units are at rest: no list that picked units
// for the order is still being picked (the units would still be on a cart,
// and its completion moves them to the lane the totes are dropped at).
// A handed-off return is done here; the putaway task it became carries the
// units back to stock.
func (s *Service) handOffReturns(ctx context.Context, tx *store.Tx, a inventory.Actor, orderIDs ...int64) error {
	type ret struct {
		id  int64
		st  inventory.StagedStock
		ref string
	}
	ids, err := json.Marshal(orderIDs)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.item_id, r.location_id, r.lot, r.expiry, r.lpn, r.qty, o.order_ref
		FROM pick_returns r JOIN pick_orders o ON o.id = r.order_id
		WHERE r.order_id IN (SELECT value FROM json_each(?)) AND r.state = 'open'
			AND NOT EXISTS (SELECT 1 FROM pick_tasks t JOIN pick_lists pl ON pl.id = t.list_id
				WHERE t.order_id = r.order_id AND t.picked_qty > 0 AND pl.state <> 'completed')
		ORDER BY r.id`, string(ids))
	if err != nil {
		return fmt.Errorf("read return tasks: %w", err)
	}
	var due []ret
	for rows.Next() {
		var r ret
		if err := rows.Scan(&r.id, &r.st.ItemID, &r.st.LocationID, &r.st.Lot, &r.st.Expiry, &r.st.LPN, &r.st.Qty, &r.ref); err != nil {
			rows.Close()
			return err
		}
		due = append(due, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range due {
		r.st.Status = inventory.Available
		r.st.Ref = "cancelled order " + r.ref
		r.st.Actor = a
		r.st.Restock = true
		if err := s.hooks.ReturnToStock(ctx, tx, r.st); err != nil {
			return fmt.Errorf("return %d of order %s to stock: %w", r.id, r.ref, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pick_returns SET state = 'done' WHERE id = ?`, r.id); err != nil {
			return fmt.Errorf("close return task: %w", err)
		}
	}
	return nil
}

// listOrderIDs returns the orders a pick list holds.
func listOrderIDs(ctx context.Context, q inventory.Querier, listID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT order_id FROM pick_list_orders WHERE list_id = ? ORDER BY order_id`, listID)
	if err != nil {
		return nil, fmt.Errorf("read orders of pick list %d: %w", listID, err)
	}
	return store.Column[int64](rows)
}
