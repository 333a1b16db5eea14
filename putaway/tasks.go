package putaway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// CreateTask turns stock that a workflow has just staged (a receipt at a
// dock, a restocked return) into an open putaway task, inside that
// workflow's transaction. server wires receiving's and returns' staged-stock
// hooks to it. The stock must be at the location already. Older open tasks
// of the same stock that claim more units than were there before these
// arrived are stale (units left outside putaway) and are trimmed first,
// newest first, so they never block new stock.
func (s *Service) CreateTask(ctx context.Context, tx *store.Tx, st inventory.StagedStock) (Task, error) {
	if st.Qty <= 0 {
		return Task{}, floorops.Invalid("quantity", "must be greater than 0")
	}
	if st.Status == "" {
		st.Status = inventory.Available
	}
	origin := OriginStaged
	if st.Restock {
		origin = OriginRestock
	}
	return createTask(ctx, tx, st, origin)
}

// CreateInput is a lead's ad-hoc task: stock scanned at its current location.
type CreateInput struct {
	FromScan string           `json:"from_location_scan" validate:"required,max=128"`
	SKU      string           `json:"sku" validate:"required,max=64"`
	Qty      int64            `json:"quantity" validate:"gt=0,lte=10000000"`
	Lot      string           `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry   string           `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
	Status   inventory.Status `json:"status" validate:"omitempty,oneof=available quarantine"`
	LPN      string           `json:"lpn" validate:"max=32"`
	Ref      string           `json:"reference" validate:"max=64"`
	Actor    inventory.Actor  `json:"actor"`
}

// CreateAdhocTask creates a task for stock a lead scanned at a location, for
// putaway the receiving and returns workflows did not start (stock found in
// staging, a relocation). Units already on another open task or allocated
// to orders are EPRECONDITION, once stale claims of tasks whose units left
// the location are trimmed.
func (s *Service) CreateAdhocTask(ctx context.Context, requestID string, in CreateInput) (Task, error) {
	in.SKU = scan.Code(in.SKU)
	in.LPN = scan.Code(in.LPN)
	in.Ref = strings.TrimSpace(in.Ref)
	if in.Status == "" {
		in.Status = inventory.Available
	}
	if err := floorops.Validate(in); err != nil {
		return Task{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "putaway.CreateTask", Body: in},
		func(tx *store.Tx) (Task, error) {
			from, err := inventory.VerifyLocationScan(ctx, tx, s.scan, "from_location_scan", in.FromScan, nil)
			if err != nil {
				return Task{}, err
			}
			item, err := inventory.ItemBySKU(ctx, tx, in.SKU)
			if err != nil {
				return Task{}, err
			}
			if err := inventory.CheckTracking(item, in.Lot, in.Expiry); err != nil {
				return Task{}, err
			}
			return createTask(ctx, tx, inventory.StagedStock{
				ItemID: item.ID, LocationID: from.ID, Lot: in.Lot, Expiry: in.Expiry, Status: in.Status,
				LPN: in.LPN, Qty: in.Qty, Ref: in.Ref, Actor: in.Actor,
			}, OriginAdhoc)
		})
}

// createTask tasks st.Qty units of st's stock. Staged stock (every origin
// but a lead's ad-hoc task) was put at the location in this transaction,
// so open tasks claiming more than was there before it are stale and are
// trimmed to make room for it; an ad-hoc task names units that were
// already there, so only claims beyond what is there now are trimmed.
func createTask(ctx context.Context, tx *store.Tx, st inventory.StagedStock, origin string) (Task, error) {
	keep := st.Qty
	if origin == OriginAdhoc {
		keep = 0
	}
	free, tasked, err := trimStale(ctx, tx, stagedKey(st), keep)
	if err != nil {
		return Task{}, err
	}
	if free-tasked < st.Qty {
		return Task{}, floorops.Errorf(floorops.EPRECONDITION,
			"only %d units of this stock are on hand, not allocated to orders and not already on a putaway task (%d free, %d tasked); cannot task %d",
			max(free-tasked, 0), free, tasked, st.Qty)
	}
	// A restock is stored as a staged task marked restock (migration 0008).
	stored, restock := origin, origin == OriginRestock
	if restock {
		stored = OriginStaged
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO putaway_tasks
		(item_id, from_location_id, lot, expiry, status, lpn, qty, state, origin, restock, ref, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id`,
		st.ItemID, st.LocationID, st.Lot, st.Expiry, string(st.Status), st.LPN, st.Qty, stored, restock, st.Ref, st.Actor.Badge,
		store.FormatTime(tx.Now)).Scan(&id)
	if store.IsConstraint(err, store.ConstraintForeignKey) {
		return Task{}, floorops.Errorf(floorops.ENOTFOUND, "staged stock names an item or location this node does not have")
	}
	if err != nil {
		return Task{}, fmt.Errorf("putaway: insert task: %w", err)
	}
	return taskByID(ctx, tx, id)
}

const taskColumns = `t.id, t.item_id, i.sku, i.abc_class, t.from_location_id, l.code, t.lot, t.expiry, t.status, t.lpn,
	t.qty, t.put_qty, t.state, CASE WHEN t.restock = 1 THEN 'restock' ELSE t.origin END, t.ref, t.created_by, t.cancel_reason, t.created_at, t.closed_at`

const taskFrom = ` FROM putaway_tasks t JOIN items i ON i.id = t.item_id JOIN locations l ON l.id = t.from_location_id`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var created, closed string
	err := row.Scan(&t.ID, &t.ItemID, &t.SKU, &t.ABCClass, &t.FromID, &t.FromCode, &t.Lot, &t.Expiry, &t.Status, &t.LPN,
		&t.Qty, &t.PutQty, &t.State, &t.Origin, &t.Ref, &t.CreatedBy, &t.CancelReason, &created, &closed)
	if err != nil {
		return Task{}, err
	}
	if t.CreatedAt, err = store.ParseTime(created); err != nil {
		return Task{}, err
	}
	if closed != "" {
		if t.ClosedAt, err = store.ParseTime(closed); err != nil {
			return Task{}, err
		}
	}
	return t, nil
}

func taskByID(ctx context.Context, q inventory.Querier, id int64) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, floorops.Errorf(floorops.ENOTFOUND, "putaway task %d not found", id)
	}
	if err != nil {
		return Task{}, fmt.Errorf("putaway: read task %d: %w", id, err)
	}
	return t, nil
}

// openTask reads a task that must still be open.
func openTask(ctx context.Context, q inventory.Querier, id int64) (Task, error) {
	t, err := taskByID(ctx, q, id)
	if err != nil {
		return Task{}, err
	}
	switch t.State {
	case TaskDone:
		return Task{}, floorops.Errorf(floorops.EPRECONDITION, "putaway task %d is already done: all %d units are put away", id, t.Qty)
	case TaskCancelled:
		return Task{}, floorops.Errorf(floorops.EPRECONDITION, "putaway task %d was cancelled", id)
	}
	return t, nil
}

// taskForScan finds the oldest open task for what an associate scanned in
// staging: an LPN; a pallet's SSCC, plain or on a GS1 label (received
// pallets carry their SSCC as the task's LPN); or an item's GTIN or GS1
// label (matching its lot when the label carries one and the item is lot
// tracked). A pallet label with both an SSCC and a GTIN finds the pallet's
// task, and the item's oldest task when no task is on that SSCC.
func taskForScan(ctx context.Context, q inventory.Querier, p *scan.Parser, raw string) (Task, error) {
	sc, err := p.Parse(raw)
	if err != nil {
		return Task{}, floorops.Invalid("scan", "%v", err)
	}
	if sc.GTIN == "" && sc.SSCC == "" && sc.Kind != scan.KindLPN {
		return Task{}, floorops.Invalid("scan", "scanned a %s; scan the LPN or the item's barcode in staging", sc.Kind)
	}
	found := func(row *sql.Row) (Task, bool, error) {
		t, err := scanTask(row)
		if errors.Is(err, sql.ErrNoRows) {
			return Task{}, false, nil
		}
		if err != nil {
			return Task{}, false, fmt.Errorf("putaway: task for scan: %w", err)
		}
		return t, true, nil
	}
	lpn := sc.SSCC
	if sc.Kind == scan.KindLPN {
		lpn = sc.Code
	}
	if lpn != "" {
		t, ok, err := found(q.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+`
			WHERE t.state = 'open' AND t.lpn = ? ORDER BY t.created_at, t.id LIMIT 1`, lpn))
		if ok || err != nil {
			return t, err
		}
	}
	if sc.GTIN != "" {
		item, _, err := inventory.ItemByGTIN(ctx, q, sc.GTIN)
		if err != nil {
			return Task{}, err
		}
		if err := inventory.LotReadable(&sc, item, "scan"); err != nil {
			return Task{}, err
		}
		lot := ""
		if item.LotTracked {
			lot = sc.Lot
		}
		if item.LotTracked && lot == "" {
			// Units of several lots wait for putaway: which one is in hand
			// only its label says. Choosing one would ledger the units
			// under another lot's number.
			lots, err := openLots(ctx, q, item.ID)
			if err != nil {
				return Task{}, err
			}
			if len(lots) > 1 {
				return Task{}, floorops.Invalid("scan", "%s has putaway tasks of more than one lot (%s and %s): scan the label that carries the lot (GS1), or choose the task", item.SKU, lots[0], lots[1])
			}
		}
		t, ok, err := found(q.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+`
			WHERE t.state = 'open' AND t.item_id = ? AND (? = '' OR t.lot = ?) ORDER BY t.created_at, t.id LIMIT 1`,
			item.ID, lot, lot))
		if ok || err != nil {
			return t, err
		}
	}
	return Task{}, floorops.Errorf(floorops.ENOTFOUND, "no open putaway task for %s", sc.Raw)
}

// openLots is the first and last lot of item's open putaway tasks (by
// name): one lot when they are the same.
func openLots(ctx context.Context, q inventory.Querier, itemID int64) ([]string, error) {
	var first, last sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT MIN(lot), MAX(lot) FROM putaway_tasks WHERE state = 'open' AND item_id = ?`, itemID).Scan(&first, &last); err != nil {
		return nil, fmt.Errorf("putaway: lots waiting: %w", err)
	}
	if !first.Valid || first.String == last.String {
		return []string{first.String}, nil
	}
	return []string{first.String, last.String}, nil
}

// CancelInput is a lead closing a task.
type CancelInput struct {
	TaskID int64           `json:"task_id" validate:"gt=0"`
	Reason string          `json:"reason" validate:"required,max=64"`
	Actor  inventory.Actor `json:"actor"`
}

// CancelTask closes an open task without moving stock; units not yet put
// away stay at the source location.
func (s *Service) CancelTask(ctx context.Context, requestID string, in CancelInput) (Task, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := floorops.Validate(in); err != nil {
		return Task{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "putaway.CancelTask", Body: in},
		func(tx *store.Tx) (Task, error) {
			if _, err := openTask(ctx, tx, in.TaskID); err != nil {
				return Task{}, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE putaway_tasks SET state = 'cancelled', cancel_reason = ?, closed_at = ? WHERE id = ?`,
				in.Reason, store.FormatTime(tx.Now), in.TaskID); err != nil {
				return Task{}, fmt.Errorf("putaway: cancel task: %w", err)
			}
			return taskByID(ctx, tx, in.TaskID)
		})
}

// GetTask returns one task.
func (s *Service) GetTask(ctx context.Context, id int64) (Task, error) {
	if id <= 0 {
		return Task{}, floorops.Invalid("task_id", "must be greater than 0")
	}
	return taskByID(ctx, s.db.Reader(), id)
}

// ListTasks returns up to limit open tasks, oldest first, after the task in
// pageToken (opaque to clients: the last task's creation time and id), and
// the token for the next page ("" on the last). Tasks whose units left
// their source outside putaway are trimmed first, so the queue never
// sends an associate for units that are not there.
func (s *Service) ListTasks(ctx context.Context, limit int, pageToken string) ([]Task, string, error) {
	page, err := store.PageRequest("putaway_tasks", limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	after, err := page.AfterParts(2)
	if err != nil {
		return nil, "", err
	}
	afterTime, afterID := "", int64(0)
	if after != nil {
		t, terr := time.Parse(time.RFC3339Nano, after[0])
		n, perr := strconv.ParseInt(after[1], 10, 64)
		if terr != nil || perr != nil {
			return nil, "", store.BadPageToken()
		}
		afterTime, afterID = store.FormatTime(t), n
	}
	if err := s.healStale(ctx); err != nil {
		return nil, "", err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+taskColumns+taskFrom+`
		WHERE t.state = 'open' AND (t.created_at > ? OR (t.created_at = ? AND t.id > ?))
		ORDER BY t.created_at, t.id LIMIT ?`, afterTime, afterTime, afterID, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("putaway: list tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.PageOf(page, out, func(t Task) string {
		return store.Key(t.CreatedAt.Format(time.RFC3339Nano), store.IDKey(t.ID))
	})
	return out, next, nil
}
