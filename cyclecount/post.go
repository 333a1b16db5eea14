package cyclecount

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/store"
)

// post posts count c inside tx: per line, counted minus the snapshot taken
// when the count started, applied to the balances as they are now, so
// picks and putaways since the count are never overwritten. A shortfall is
// taken first from quarantined units (a short pick quarantines the units it
// did not find), then from available ones. Units a short pick held for this
// count that the count found are released to available. The location's
// triggered count is closed (the bin sells again), allocations the count
// left without stock go to the Unbacked hook, and CountReconciled is
// emitted. approver is the lead who approved it, or zero.
func (s *Service) post(ctx context.Context, tx *store.Tx, c Count, counter, approver inventory.Actor, requestID string) error {
	by := counter
	if approver.Badge != "" {
		by = approver
	}
	ref := fmt.Sprintf("count %d", c.ID)
	rec := func(m inventory.Move) error {
		if m.Qty <= 0 {
			return nil
		}
		m.Kind, m.Actor, m.RequestID, m.Ref = inventory.KindCount, by, requestID, ref
		m.DeferAvailability = true // once per item below
		if m.Reason == "" {
			m.Reason = "cycle count"
		}
		_, err := inventory.Record(ctx, tx, m)
		return err
	}
	ev := &eventv1.CountReconciled{CountId: c.ID, LocationCode: c.LocationCode, CountedBy: c.CountedBy,
		ApprovedBy: approver.Badge, CountRequestId: c.CountRequestID}
	items := map[int64]bool{}
	var keys []inventory.StockKey
	now, err := balancesAt(ctx, tx, c.LocationID)
	if err != nil {
		return err
	}
	if err := shortfallsHeld(c, now); err != nil {
		return err
	}
	for _, l := range c.Lines {
		k := inventory.StockKey{ItemID: l.ItemID, LocationID: c.LocationID, Lot: l.Lot, Expiry: l.Expiry, LPN: l.LPN}
		keys, items[l.ItemID] = append(keys, k), true
		quarantined := now[statusKey{k, inventory.Quarantined}]
		move := inventory.Move{ItemID: l.ItemID, Lot: l.Lot, Expiry: l.Expiry}
		switch adj := l.Adjustment(); {
		case adj > 0:
			move.To, move.ToStatus, move.ToLPN, move.Qty = c.LocationID, inventory.Available, l.LPN, adj
			if err := rec(move); err != nil {
				return err
			}
		case adj < 0:
			need := -adj
			fromQ := min(need, quarantined)
			move.From, move.FromStatus, move.FromLPN, move.Qty = c.LocationID, inventory.Quarantined, l.LPN, fromQ
			if err := rec(move); err != nil {
				return err
			}
			quarantined -= fromQ
			available := now[statusKey{k, inventory.Available}]
			move.FromStatus, move.Qty = inventory.Available, min(need-fromQ, available)
			if err := rec(move); err != nil {
				return err
			}
		}
		if c.CountRequestID != 0 && quarantined > 0 {
			held, err := shortPickHeld(ctx, tx, k, c)
			if err != nil {
				return err
			}
			release := inventory.Move{ItemID: l.ItemID, Lot: l.Lot, Expiry: l.Expiry, From: c.LocationID, To: c.LocationID,
				FromStatus: inventory.Quarantined, ToStatus: inventory.Available, FromLPN: l.LPN, ToLPN: l.LPN,
				Qty: min(held, quarantined), Reason: "counted"}
			if err := rec(release); err != nil {
				return err
			}
		}
		ev.Lines = append(ev.Lines, &eventv1.CountReconciledLine{Sku: l.SKU, Lot: l.Lot, Expiry: l.Expiry, Lpn: l.LPN,
			CountedQuantity: l.Counted, SnapshotQuantity: l.Snapshot, AdjustmentQuantity: l.Adjustment()})
	}
	if err := postSerials(ctx, tx, c); err != nil {
		return err
	}
	if err := inventory.CloseCountRequests(ctx, tx, c.LocationID); err != nil {
		return err
	}
	allocated, err := allocatedAt(ctx, tx, c.LocationID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !allocated[k] {
			continue
		}
		if err := s.reback(ctx, tx, k); err != nil {
			return err
		}
	}
	ids := make([]int64, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	if err := inventory.EmitAvailabilities(ctx, tx, ids); err != nil {
		return err
	}
	if err := recordHistory(ctx, tx, c); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET state = 'posted', decided_at = ? WHERE id = ?`, store.FormatTime(tx.Now), c.ID); err != nil {
		return fmt.Errorf("post count: %w", err)
	}
	if err := logStep(ctx, tx, c.ID, "posted", by, ""); err != nil {
		return err
	}
	_, err = inventory.Emit(ctx, tx, "count_reconciled", &eventv1.Event{Payload: &eventv1.Event_CountReconciled{CountReconciled: ev}})
	return err
}

// shortfallsHeld refuses, with EPRECONDITION, to post count c when a
// shortfall it found is more than its position holds now: stock moved
// since the count (a lead approving hours later), and posting what is left
// would book a different adjustment than the one counted, reported and
// sent to central. The count is rejected and the bin recounted instead;
// stock moved during a count is never posted silently.
func shortfallsHeld(c Count, now map[statusKey]int64) error {
	for _, l := range c.Lines {
		k := inventory.StockKey{ItemID: l.ItemID, LocationID: c.LocationID, Lot: l.Lot, Expiry: l.Expiry, LPN: l.LPN}
		held := now[statusKey{k, inventory.Quarantined}] + now[statusKey{k, inventory.Available}]
		if need := -l.Adjustment(); need > held {
			return floorops.Errorf(floorops.EPRECONDITION,
				"count %d of %s found %d %s short but the bin holds %d now: stock moved since, reject it for a recount", c.ID, c.LocationCode, need, l.SKU, held)
		}
	}
	return nil
}

// reback hands allocations of k beyond its available units to the
// Unbacked hook: the count found fewer units than orders were promised.
func (s *Service) reback(ctx context.Context, tx *store.Tx, k inventory.StockKey) error {
	free, err := inventory.FreeToAllocate(ctx, tx, k)
	if err != nil {
		return err
	}
	if free >= 0 {
		return nil
	}
	return s.hooks.Unbacked(ctx, tx, k, -free)
}

// statusKey is one balance: a stock key in one status.
type statusKey struct {
	inventory.StockKey
	status inventory.Status
}

// balancesAt reads every balance at a location as it is now, in one query.
func balancesAt(ctx context.Context, q inventory.Querier, locID int64) (map[statusKey]int64, error) {
	out := map[statusKey]int64{}
	err := inventory.EachRow(ctx, q, `SELECT item_id, lot, expiry, lpn, status, qty FROM balances WHERE location_id = ?`, []any{locID}, func(r *sql.Rows) error {
		k := statusKey{StockKey: inventory.StockKey{LocationID: locID}}
		var n int64
		err := r.Scan(&k.ItemID, &k.Lot, &k.Expiry, &k.LPN, &k.status, &n)
		out[k] += n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read balances: %w", err)
	}
	return out, nil
}

// allocatedAt is the set of stock keys at a location that orders hold
// allocations on.
func allocatedAt(ctx context.Context, q inventory.Querier, locID int64) (map[inventory.StockKey]bool, error) {
	out := map[inventory.StockKey]bool{}
	err := inventory.EachRow(ctx, q, `SELECT DISTINCT item_id, lot, expiry, lpn FROM allocations WHERE location_id = ?`, []any{locID}, func(r *sql.Rows) error {
		k := inventory.StockKey{LocationID: locID}
		err := r.Scan(&k.ItemID, &k.Lot, &k.Expiry, &k.LPN)
		out[k] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read allocations: %w", err)
	}
	return out, nil
}

// shortPickHeld is the units of k short picks quarantined in place since
// the location's last posted count: what the triggered count c answers.
func shortPickHeld(ctx context.Context, q inventory.Querier, k inventory.StockKey, c Count) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty), 0) FROM movements
		WHERE from_location_id = ? AND to_location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND to_lpn = ?
			AND kind = ? AND reason = 'short-pick' AND to_status = 'quarantine'
			AND id > COALESCE((SELECT MAX(start_movement_id) FROM counts WHERE location_id = ? AND state = 'posted' AND id <> ?), 0)`,
		k.LocationID, k.LocationID, k.ItemID, k.Lot, k.Expiry, k.LPN, inventory.KindStatus, k.LocationID, c.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read short-pick holds: %w", err)
	}
	return n, nil
}

// recordHistory keeps c's result per item for error rates and accuracy.
func recordHistory(ctx context.Context, tx *store.Tx, c Count) error {
	pol, err := loadPolicy(ctx, tx)
	if err != nil {
		return err
	}
	facts, err := itemFacts(ctx, tx, c)
	if err != nil {
		return err
	}
	for _, l := range c.Lines {
		f := facts[l.ItemID]
		within := pol.of(f.class).Within(l.Snapshot, l.Counted, f.cost)
		if _, err := tx.ExecContext(ctx, `INSERT INTO count_history (count_id, location_id, item_id, snapshot_qty, counted_qty, within_tolerance, counted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, c.LocationID, l.ItemID, l.Snapshot, l.Counted, within, store.FormatTime(tx.Now)); err != nil {
			return fmt.Errorf("record count history: %w", err)
		}
	}
	return nil
}
