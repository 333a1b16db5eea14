package putaway

import (
	"context"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Open tasks must never claim more units than are at their source. Stock
// leaves a dock or staging lane outside putaway too (a lead's adjustment, a
// move, a count), and nothing tells putaway when it does, so the tasks of
// that stock are brought back in line the next time putaway works with it:
// creating a task for it (createTask), directing one (SuggestLocation) or
// listing the queue (ListTasks) trims the stale claims, newest task first;
// ConfirmPutaway refuses a task whose units are not all there and says what
// is. Older tasks keep their units first, so a task's units are at its
// source when the stock there covers it after every older open task of the
// same stock.

// staleReason is the cancel reason of a task none of whose units are at
// its source any more and none of which were put away.
const staleReason = "units left the location outside putaway"

// stockKey is one balance: the stock a task moves.
type stockKey struct {
	location    int64
	item        int64
	lot, expiry string
	status      inventory.Status
	lpn         string
}

func keyOf(t Task) stockKey {
	return stockKey{location: t.FromID, item: t.ItemID, lot: t.Lot, expiry: t.Expiry, status: t.Status, lpn: t.LPN}
}

func stagedKey(st inventory.StagedStock) stockKey {
	return stockKey{location: st.LocationID, item: st.ItemID, lot: st.Lot, expiry: st.Expiry, status: st.Status, lpn: st.LPN}
}

// onHand is how many units of k are at its location.
func onHand(ctx context.Context, q inventory.Querier, k stockKey) (int64, error) {
	var qty int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT qty FROM balances
		WHERE location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = ? AND lpn = ?), 0)`,
		k.location, k.item, k.lot, k.expiry, string(k.status), k.lpn).Scan(&qty)
	if err != nil {
		return 0, fmt.Errorf("putaway: stock at source: %w", err)
	}
	return qty, nil
}

// trimStale cuts the open tasks of k, newest first, until together they
// claim no more than the units at the location less keep (units just
// staged there that a new task is about to claim), and returns the units
// on hand and what the open tasks claim afterwards. A task left with
// nothing to put away is cancelled, or done if some of it was put away.
// It records nothing else: the units already left, through a movement of
// their own.
func trimStale(ctx context.Context, tx *store.Tx, k stockKey, keep int64) (held, tasked int64, err error) {
	if held, err = onHand(ctx, tx, k); err != nil {
		return 0, 0, err
	}
	// The claim is summed in SQL: a busy dock may hold thousands of open
	// tasks of one stock, and only a stale one needs them read.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty - put_qty), 0) FROM putaway_tasks
		WHERE state = 'open' AND from_location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = ? AND lpn = ?`,
		k.location, k.item, k.lot, k.expiry, string(k.status), k.lpn).Scan(&tasked); err != nil {
		return 0, 0, fmt.Errorf("putaway: open tasks of stock: %w", err)
	}
	if tasked <= max(held-keep, 0) {
		return held, tasked, nil
	}
	tasked = 0
	rows, err := tx.QueryContext(ctx, `SELECT id, qty, put_qty FROM putaway_tasks
		WHERE state = 'open' AND from_location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = ? AND lpn = ?
		ORDER BY created_at DESC, id DESC`,
		k.location, k.item, k.lot, k.expiry, string(k.status), k.lpn)
	if err != nil {
		return 0, 0, fmt.Errorf("putaway: open tasks of stock: %w", err)
	}
	type open struct{ id, qty, put int64 }
	var tasks []open
	for rows.Next() {
		var t open
		if err := rows.Scan(&t.id, &t.qty, &t.put); err != nil {
			rows.Close()
			return 0, 0, err
		}
		tasks = append(tasks, t)
		tasked += t.qty - t.put
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	excess := tasked - max(held-keep, 0)
	for _, t := range tasks {
		if excess <= 0 {
			break
		}
		cut := min(t.qty-t.put, excess)
		if err := shrinkTask(ctx, tx, t.id, t.qty-cut, t.put, staleReason, tx.Now); err != nil {
			return 0, 0, err
		}
		excess -= cut
		tasked -= cut
	}
	return held, tasked, nil
}

// share is how the stock at a task's source covers it: the units there,
// and how many of them open tasks older than it claim.
type share struct {
	held, older int64
}

// atSource is how many of t's remaining units are at its source.
func (s share) atSource(t Task) int64 { return min(max(s.held-s.older, 0), t.Remaining()) }

func shareOf(ctx context.Context, q inventory.Querier, t Task) (share, error) {
	k := keyOf(t)
	held, err := onHand(ctx, q, k)
	if err != nil {
		return share{}, err
	}
	var older int64
	err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty - put_qty), 0) FROM putaway_tasks
		WHERE state = 'open' AND from_location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = ? AND lpn = ?
			AND (created_at, id) < (SELECT created_at, id FROM putaway_tasks WHERE id = ?)`,
		k.location, k.item, k.lot, k.expiry, string(k.status), k.lpn, t.ID).Scan(&older)
	if err != nil {
		return share{}, fmt.Errorf("putaway: older tasks of stock: %w", err)
	}
	return share{held: held, older: older}, nil
}

// notAtSource explains to the associate that t's units are not all at its
// source, and what is there.
func notAtSource(t Task, s share) error {
	stock := t.SKU
	if t.Lot != "" {
		stock += " lot " + t.Lot
	}
	if t.LPN != "" {
		stock += " on " + t.LPN
	}
	there := fmt.Sprintf("%s holds %d units of %s", t.FromCode, s.held, stock)
	if s.older > 0 {
		there += fmt.Sprintf(", %d of them for older putaway tasks", min(s.older, s.held))
	}
	at := s.atSource(t)
	if at == 0 {
		return floorops.Errorf(floorops.EPRECONDITION,
			"none of the %d units of putaway task %d are at %s any more (%s): they left outside putaway; ask for the task again or tell a lead",
			t.Remaining(), t.ID, t.FromCode, there)
	}
	return floorops.Errorf(floorops.EPRECONDITION,
		"only %d of the %d units of putaway task %d are at %s (%s): the rest left outside putaway; ask for the task again to put away what is there",
		at, t.Remaining(), t.ID, t.FromCode, there)
}

// staleStocksSQL lists every stock whose open tasks claim more units than
// are at its location: a walk of the open tasks by source, and one
// balance looked up by its key per stock.
const staleStocksSQL = `SELECT t.from_location_id, t.item_id, t.lot, t.expiry, t.status, t.lpn
	FROM putaway_tasks t WHERE t.state = 'open'
	GROUP BY t.from_location_id, t.item_id, t.lot, t.expiry, t.status, t.lpn
	HAVING SUM(t.qty - t.put_qty) > COALESCE((SELECT b.qty FROM balances b
		WHERE b.location_id = t.from_location_id AND b.item_id = t.item_id AND b.lot = t.lot
			AND b.expiry = t.expiry AND b.status = t.status AND b.lpn = t.lpn), 0)`

// healStale trims the open tasks of every stock whose tasks claim more
// units than are at its location. It writes only when it finds some.
func (s *Service) healStale(ctx context.Context) error {
	rows, err := s.db.Reader().QueryContext(ctx, staleStocksSQL)
	if err != nil {
		return fmt.Errorf("putaway: find stale tasks: %w", err)
	}
	var stale []stockKey
	for rows.Next() {
		var k stockKey
		if err := rows.Scan(&k.location, &k.item, &k.lot, &k.expiry, &k.status, &k.lpn); err != nil {
			rows.Close()
			return err
		}
		stale = append(stale, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(stale) == 0 {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for _, k := range stale {
			if _, _, err := trimStale(ctx, tx, k, 0); err != nil {
				return err
			}
		}
		return nil
	})
}
