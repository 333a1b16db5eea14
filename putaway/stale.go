package putaway

import (
	"context"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Open tasks must never claim more units than are at their source and not
// allocated to orders. Stock leaves a dock or staging lane outside putaway
// too (a lead's adjustment, a move, a count), and sellable stock at a
// source (a restocked return at the returns location, a lead's ad-hoc task
// in storage) may be allocated to an order, whose pick is directed to it
// where it is; nothing tells putaway when either happens, so the tasks of
// that stock are brought back in line the next time putaway works with it:
// creating a task for it (createTask), directing one (SuggestLocation),
// confirming one (ConfirmPutaway, after its move) or listing the queue
// (ListTasks) trims the stale claims, newest task first. ConfirmPutaway
// refuses a task whose units are not all there and says what is, and never
// moves allocated units, so no allocation is left without its stock. Older
// tasks keep their units first, so a task's units are at its source when
// the stock there covers it after every older open task of the same stock.

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

// onHand is how many units of k are at its location, and how many of them
// are allocated to orders. Allocated units are not putaway's to move: the
// order's pick is directed to them where they are (a restocked return
// sells from the returns location the moment it is dispositioned), so a
// task only ever claims the units at its source that are not allocated.
func onHand(ctx context.Context, q inventory.Querier, k stockKey) (held, allocated int64, err error) {
	held, allocated, _, err = stockOf(ctx, q, k, false)
	return held, allocated, err
}

// stockOf is onHand and, with claims, what the open tasks of k claim
// (migration 0017's row), read in one statement: each is asked on every
// receipt scan and putaway confirm, on the one writer.
func stockOf(ctx context.Context, q inventory.Querier, k stockKey, claims bool) (held, allocated, claimed int64, err error) {
	claimSQL := `0`
	if claims {
		claimSQL = `COALESCE((SELECT claimed FROM putaway_open_claims
			WHERE from_location_id = ?1 AND item_id = ?2 AND lot = ?3 AND expiry = ?4 AND status = ?5 AND lpn = ?6), 0)`
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE((SELECT qty FROM balances
			WHERE location_id = ?1 AND item_id = ?2 AND lot = ?3 AND expiry = ?4 AND status = ?5 AND lpn = ?6), 0),
		CASE WHEN ?5 = 'available' THEN `+inventory.AllocatedSQL("?2", "?1", "?3", "?4", "?6")+` ELSE 0 END, `+claimSQL,
		k.location, k.item, k.lot, k.expiry, string(k.status), k.lpn).Scan(&held, &allocated, &claimed)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("putaway: stock at source: %w", err)
	}
	return held, allocated, claimed, nil
}

// trimStale cuts the open tasks of k, newest first, until together they
// claim no more than the units at the location that are not allocated to
// orders, less keep (units just staged there that a new task is about to
// claim), and returns those free units and what the open tasks claim
// afterwards. A task left with nothing to put away is cancelled, or done if
// some of it was put away. It records nothing else: the units already left
// through a movement of their own, or stay for the pick they are allocated
// to.
func trimStale(ctx context.Context, tx *store.Tx, k stockKey, keep int64) (free, tasked int64, err error) {
	// The claim is one row kept by triggers (migration 0017): a busy dock
	// may hold thousands of open tasks of one stock, and only a stale one
	// needs them read.
	held, allocated, tasked, err := stockOf(ctx, tx, k, true)
	if err != nil {
		return 0, 0, err
	}
	free = max(held-allocated, 0)
	if tasked <= max(free-keep, 0) {
		return free, tasked, nil
	}
	// The units are all still there: orders took them.
	reason := staleReason
	if tasked <= max(held-keep, 0) {
		reason = allocatedReason
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
	excess := tasked - max(free-keep, 0)
	for _, t := range tasks {
		if excess <= 0 {
			break
		}
		cut := min(t.qty-t.put, excess)
		if err := shrinkTask(ctx, tx, t.id, t.qty-cut, t.put, reason, tx.Now); err != nil {
			return 0, 0, err
		}
		excess -= cut
		tasked -= cut
	}
	return free, tasked, nil
}

// allocatedReason is the cancel reason of a task whose units are all
// allocated to orders where they stand: they leave by pick, not putaway.
const allocatedReason = "units allocated to orders are picked where they are"

// share is how the stock at a task's source covers it: the units there,
// how many of them are allocated to orders, and how many open tasks older
// than it claim.
type share struct {
	held, allocated, older int64
}

// atSource is how many of t's remaining units are at its source.
func (s share) atSource(t Task) int64 { return min(max(s.held-s.older, 0), t.Remaining()) }

// movable is how many of t's remaining units at its source putaway may
// move: those not allocated to orders (older tasks claim the free units
// first).
func (s share) movable(t Task) int64 {
	return min(max(s.held-s.allocated-s.older, 0), t.Remaining())
}

func shareOf(ctx context.Context, q inventory.Querier, t Task) (share, error) {
	k := keyOf(t)
	held, allocated, err := onHand(ctx, q, k)
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
	return share{held: held, allocated: allocated, older: older}, nil
}

// notAtSource explains to a that t's units are not all at its source, or
// not all free to move, and, when a is told the record (see
// inventory.ToldHeld), what is there.
func notAtSource(t Task, s share, a inventory.Actor) error {
	if !inventory.ToldHeld(a) {
		// What is there, or how many units may go, is the record at the
		// source, which may be under a blind count.
		return floorops.Errorf(floorops.EPRECONDITION,
			"not all %d units of putaway task %d are at %s and free to put away: ask for the task again, or tell a lead",
			t.Remaining(), t.ID, t.FromCode)
	}
	stock := t.SKU
	if t.Lot != "" {
		stock += " lot " + t.Lot
	}
	if t.LPN != "" {
		stock += " on " + t.LPN
	}
	there := fmt.Sprintf("%s holds %d units of %s", t.FromCode, s.held, stock)
	if s.allocated > 0 {
		there += fmt.Sprintf(", %d of them allocated to orders", min(s.allocated, s.held))
	}
	if s.older > 0 {
		there += fmt.Sprintf(", %d for older putaway tasks", min(s.older, s.held))
	}
	if s.atSource(t) == t.Remaining() {
		// Every unit is there: orders were allocated some since.
		return floorops.Errorf(floorops.EPRECONDITION,
			"only %d of the %d units of putaway task %d may be put away (%s): allocated units stay for their pick; ask for the task again to put away the rest",
			s.movable(t), t.Remaining(), t.ID, there)
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
// are at its location and not allocated to orders: a walk of the open
// tasks by source, and one balance and its allocations looked up by key
// per stock.
var staleStocksSQL = `SELECT t.from_location_id, t.item_id, t.lot, t.expiry, t.status, t.lpn
	FROM putaway_tasks t WHERE t.state = 'open'
	GROUP BY t.from_location_id, t.item_id, t.lot, t.expiry, t.status, t.lpn
	HAVING SUM(t.qty - t.put_qty) > COALESCE((SELECT b.qty FROM balances b
		WHERE b.location_id = t.from_location_id AND b.item_id = t.item_id AND b.lot = t.lot
			AND b.expiry = t.expiry AND b.status = t.status AND b.lpn = t.lpn), 0)
		- CASE WHEN t.status = 'available' THEN ` + inventory.AllocatedSQL("t.item_id", "t.from_location_id", "t.lot", "t.expiry", "t.lpn") + ` ELSE 0 END`

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
