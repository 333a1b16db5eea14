package picking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops/inventory"
)

// Shipped is how many units of an item the node picked for an order (its
// tasks' picked units; none for a cancelled order, whose picks went back
// to stock), and known false when the node never had the order. Returns
// read it so a return never silently exceeds what left the building.
func Shipped(ctx context.Context, q inventory.Querier, orderRef string, itemID int64) (int64, bool, error) {
	var qty int64
	err := q.QueryRowContext(ctx, `SELECT CASE WHEN o.state = 'cancelled' THEN 0 ELSE
		COALESCE((SELECT SUM(t.picked_qty) FROM pick_tasks t WHERE t.order_id = o.id AND t.item_id = ?), 0) END
		FROM pick_orders o WHERE o.order_ref = ?`, itemID, orderRef).Scan(&qty)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("picking: shipped: %w", err)
	}
	return qty, true, nil
}
