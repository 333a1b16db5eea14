package picking

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// allocator reserves stock for order lines inside one transaction. It reads
// each item's allocatable balances once and keeps what it has reserved since
// in memory, so releasing thousands of lines reads each item's stock once.
// Every reservation still goes through inventory.Allocate, which checks the
// balance again: the cache can make allocation faster, never oversell.
type allocator struct {
	tx      *store.Tx
	stock   map[int64][]*candidate // per item, best first
	touched map[int64]bool         // items whose allocations changed
}

// candidate is one balance an item may be picked from, with the units still
// free and its rotation key.
type candidate struct {
	inventory.AllocatableStock
	free int64
	// rotation orders stock that must leave first: expiry date (FEFO) for
	// expiry-tracked items, then the day the balance was received (FIFO).
	rotation string
}

func newAllocator(tx *store.Tx) *allocator {
	return &allocator{tx: tx, stock: map[int64][]*candidate{}, touched: map[int64]bool{}}
}

// lineRef is the order line an allocation is for.
type lineRef struct {
	orderID, lineID, itemID int64
	expiryTracked           bool
	ref                     string // "<order>/<line>", the allocations row's ref
}

// load reads the allocatable stock of every item not yet loaded, in one
// batch; fefo says which items rotate by expiry.
func (a *allocator) load(ctx context.Context, fefo map[int64]bool) error {
	var ids []int64
	for id := range fefo {
		if _, ok := a.stock[id]; !ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	stock, err := inventory.AllocatableStockOf(ctx, a.tx, ids, a.tx.Now)
	if err != nil {
		return err
	}
	for _, id := range ids {
		a.stock[id] = rank(stock[id], fefo[id])
	}
	return nil
}

// rank orders an item's balances the way they should be used: rotation
// first (FEFO, else FIFO by receipt day), then pick faces before storage,
// then walk order.
func rank(rows []inventory.AllocatableStock, fefo bool) []*candidate {
	cs := make([]*candidate, 0, len(rows))
	for _, r := range rows {
		c := &candidate{AllocatableStock: r, free: r.Free()}
		day := r.ReceivedAt.UTC().Format(time.DateOnly) // the receipt day, a calendar date like expiry
		c.rotation = day
		if fefo {
			exp := r.Expiry
			if exp == "" {
				exp = "9999-12-31" // undated stock of a dated item goes last
			}
			c.rotation = exp + "|" + day
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ci, cj := cs[i], cs[j]
		if ci.rotation != cj.rotation {
			return ci.rotation < cj.rotation
		}
		if pi, pj := ci.LocationType == inventory.LocPickFace, cj.LocationType == inventory.LocPickFace; pi != pj {
			return pi
		}
		return false // AllocatableStockOf returns walk order
	})
	return cs
}

// choose picks the balances to take qty from: within the earliest rotation
// group with free units, pick faces before storage; within those, one
// balance that covers the rest on its own if there is one (fewest
// locations), else the fullest, and so on until qty is covered or stock runs
// out. It returns the balances and units to take from each.
func choose(cs []*candidate, qty int64) (picks []*candidate, units []int64) {
	taken := map[*candidate]int64{}
	for qty > 0 {
		var best *candidate
		for _, c := range cs {
			free := c.free - taken[c]
			if free <= 0 {
				continue
			}
			if best == nil {
				best = c
				continue
			}
			if c.rotation != best.rotation || (c.LocationType == inventory.LocPickFace) != (best.LocationType == inventory.LocPickFace) {
				break // later group: the best of the first group stands
			}
			bestFree := best.free - taken[best]
			switch {
			case bestFree >= qty:
				// best already covers the rest; keep the first in walk order
			case free >= qty:
				best = c
			case free > bestFree:
				best = c
			}
		}
		if best == nil {
			break
		}
		n := min(best.free-taken[best], qty)
		if taken[best] == 0 {
			picks = append(picks, best)
			units = append(units, 0)
		}
		for i, p := range picks {
			if p == best {
				units[i] += n
			}
		}
		taken[best] += n
		qty -= n
	}
	return picks, units
}

// allocate reserves up to qty units for the line and writes one open pick
// task per balance used, on pick list listID (0: on none yet). It returns
// the units allocated (less than qty when stock ran out) and the new tasks.
func (a *allocator) allocate(ctx context.Context, l lineRef, qty int64, listID int64) (int64, []int64, error) {
	if err := a.load(ctx, map[int64]bool{l.itemID: l.expiryTracked}); err != nil {
		return 0, nil, err
	}
	picks, units := choose(a.stock[l.itemID], qty)
	var done int64
	var tasks []int64
	now := store.FormatTime(a.tx.Now)
	var list any
	if listID != 0 {
		list = listID
	}
	for i, c := range picks {
		n := units[i]
		allocID, err := inventory.Allocate(ctx, a.tx, inventory.Allocation{StockKey: c.StockKey, Qty: n, Ref: l.ref})
		if err != nil {
			return 0, nil, err
		}
		c.free -= n
		res, err := a.tx.ExecContext(ctx, `INSERT INTO pick_tasks
			(order_id, line_id, item_id, location_id, lot, expiry, lpn, qty, state, allocation_id, list_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
			l.orderID, l.lineID, l.itemID, c.LocationID, c.Lot, c.Expiry, c.LPN, n, allocID, list, now, now)
		if err != nil {
			return 0, nil, fmt.Errorf("insert pick task: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return 0, nil, err
		}
		tasks = append(tasks, id)
		done += n
		a.touched[l.itemID] = true
	}
	return done, tasks, nil
}

// emitAvailability publishes the new ATS of every item whose allocations
// changed, once per item.
func (a *allocator) emitAvailability(ctx context.Context) error {
	ids := make([]int64, 0, len(a.touched))
	for id := range a.touched {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return inventory.EmitAvailabilities(ctx, a.tx, ids)
}
