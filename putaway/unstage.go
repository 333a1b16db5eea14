package putaway

import (
	"context"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// unstageReason is the cancel reason of a task whose staged units were all
// taken back by the workflow that staged them.
const unstageReason = "staged stock withdrawn: "

// Unstage takes back stock a workflow staged and handed to CreateTask (a
// receipt scan undone at the dock), inside that workflow's transaction. st
// is what was staged: the open tasks CreateTask made for the same Ref,
// source location, item, lot, expiry, status and LPN lose st.Qty units
// between them, newest first. A task left with nothing to put away is
// cancelled; one whose other units were already put away is done.
//
// Units of one stock are interchangeable at the source, so which task the
// units come off does not matter, only that the workflow's own tasks still
// hold them: if those tasks no longer hold st.Qty units waiting at the
// source (some were put away, or left the location outside putaway and
// their tasks were trimmed), Unstage refuses with EPRECONDITION so the
// workflow writes nothing. Stock of the same item at the same dock staged
// by another receipt is never touched.
func (s *Service) Unstage(ctx context.Context, tx *store.Tx, st inventory.StagedStock) error {
	if st.Qty <= 0 {
		return floorops.Invalid("quantity", "must be greater than 0")
	}
	if st.Status == "" {
		st.Status = inventory.Available
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, qty, put_qty FROM putaway_tasks
		WHERE state = 'open' AND origin = 'staged' AND restock = 0 AND ref = ? AND from_location_id = ? AND item_id = ?
			AND lot = ? AND expiry = ? AND status = ? AND lpn = ?
		ORDER BY created_at DESC, id DESC`,
		st.Ref, st.LocationID, st.ItemID, st.Lot, st.Expiry, string(st.Status), st.LPN)
	if err != nil {
		return fmt.Errorf("putaway: tasks of staged stock: %w", err)
	}
	type open struct{ id, qty, put int64 }
	var tasks []open
	var waiting int64
	for rows.Next() {
		var t open
		if err := rows.Scan(&t.id, &t.qty, &t.put); err != nil {
			rows.Close()
			return err
		}
		tasks = append(tasks, t)
		waiting += t.qty - t.put
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if waiting < st.Qty {
		return floorops.Errorf(floorops.EPRECONDITION,
			"the units were already put away or have left the location; ask a lead to adjust (%s has %d of these units still waiting for putaway, %d to take back)",
			st.Ref, waiting, st.Qty)
	}
	need := st.Qty
	for _, t := range tasks {
		if need == 0 {
			break
		}
		take := min(t.qty-t.put, need)
		need -= take
		if err := shrinkTask(ctx, tx, t.id, t.qty-take, t.put, unstageReason+st.Ref, tx.Now); err != nil {
			return err
		}
	}
	return nil
}

// shrinkTask leaves task id with qty units: still open if some wait to be
// put away, done (closed when its last unit was put away) if the rest are
// already in storage, cancelled with cancelReason if none was ever put
// away; now is the transaction's time, the close time when no putaway
// confirmed the task's last unit.
func shrinkTask(ctx context.Context, tx *store.Tx, id, qty, put int64, cancelReason string, now time.Time) error {
	var err error
	switch {
	case qty > put:
		_, err = tx.ExecContext(ctx, `UPDATE putaway_tasks SET qty = ? WHERE id = ?`, qty, id)
	case put > 0:
		_, err = tx.ExecContext(ctx, `UPDATE putaway_tasks SET qty = put_qty, state = 'done',
			closed_at = COALESCE((SELECT MAX(created_at) FROM putaway_confirms WHERE task_id = ?), ?) WHERE id = ?`, id, store.FormatTime(now), id)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE putaway_tasks SET state = 'cancelled', cancel_reason = ?, closed_at = ? WHERE id = ?`,
			cancelReason, store.FormatTime(now), id)
	}
	if err != nil {
		return fmt.Errorf("putaway: shrink task %d: %w", id, err)
	}
	return nil
}
